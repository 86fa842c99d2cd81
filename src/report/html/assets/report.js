// The report page's behaviour, a plain script inlined after the vega runtime: draws the charts from the
// compiled vega specs in #chart-specs (window.__charts holds each view's promise); sorts, filters, caps
// and folds tables.
(() => {
  // Which rows a table shows: those the filter matches, the machinery ones only when their box is
  // ticked, and of these the first data-cap unless "show all" was pressed. Sorting reorders the rows,
  // so the first ones are the top of the new order.
  const refresh = (table) => {
    const id = table.id;
    const input = document.querySelector(`input.filter[data-table="${id}"]`);
    const box = document.querySelector(`input.show-internal[data-table="${id}"]`);
    const button = document.querySelector(`button.show-all[data-table="${id}"]`);
    const q = input ? input.value.toLowerCase() : '';
    const internal = box ? box.checked : false;
    const all = button ? button.getAttribute('aria-expanded') === 'true' : true;
    const cap = +table.dataset.cap;
    let matching = 0;
    let shown = 0;
    let folded = 0;
    Array.from(table.tBodies[0].rows).forEach((tr) => {
      const match = tr.textContent.toLowerCase().indexOf(q) >= 0;
      const hiddenAsInternal = !internal && tr.classList.contains('internal');
      if (match && hiddenAsInternal) folded++;
      const wanted = match && !hiddenAsInternal;
      if (wanted) matching++;
      const show = wanted && (all || matching <= cap);
      if (show) shown++;
      tr.style.display = show ? '' : 'none';
    });
    const count = document.querySelector(`.count[data-table="${id}"]`);
    if (count) {
      const parts = shown < matching ? [`${shown} of ${matching} rows`] : [];
      if (folded) parts.push(`${folded} of import machinery and capture code folded`);
      count.textContent = parts.join('; ');
    }
    if (button) {
      button.hidden = matching <= cap;
      button.textContent = all ? `show the top ${cap}` : `show all ${matching}`;
    }
  };
  const tables = Array.from(document.querySelectorAll('table.sortable'));
  tables.forEach(refresh);

  // A cell sorts by the number in its [data-v] element when it has one, else by its text.
  const sortKey = (tr, col) => {
    const td = tr.cells[col];
    const v = td.querySelector('[data-v]');
    return v ? +v.dataset.v : td.textContent;
  };
  const sortBy = (th) => {
    const table = th.closest('table');
    const col = +th.dataset.col;
    const body = table.tBodies[0];
    const desc = !th.classList.contains('desc');
    table.querySelectorAll('th').forEach((h) => {
      h.classList.remove('asc', 'desc');
      h.removeAttribute('aria-sort');
    });
    th.classList.add(desc ? 'desc' : 'asc');
    th.setAttribute('aria-sort', desc ? 'descending' : 'ascending');
    const rows = Array.from(body.rows).sort((a, b) => {
      const x = sortKey(a, col);
      const y = sortKey(b, col);
      const r = typeof x === 'number' && typeof y === 'number' ? x - y : String(x).localeCompare(String(y));
      return desc ? -r : r;
    });
    rows.forEach((tr) => {
      body.appendChild(tr);
    });
    refresh(table);
  };
  // Headers take the keyboard focus here, where their sorting is wired (the markup stays plain).
  document.querySelectorAll('table.sortable th').forEach((th) => {
    th.tabIndex = 0;
    th.addEventListener('click', () => sortBy(th));
    th.addEventListener('keydown', (e) => {
      if (e.key !== 'Enter' && e.key !== ' ') return;
      e.preventDefault();
      sortBy(th);
    });
  });

  const tableOf = (el) => document.getElementById(el.dataset.table);
  document.querySelectorAll('input.filter').forEach((input) => {
    input.addEventListener('input', () => refresh(tableOf(input)));
  });
  document.querySelectorAll('input.show-internal').forEach((box) => {
    box.addEventListener('change', () => refresh(tableOf(box)));
  });
  document.querySelectorAll('button.show-all').forEach((button) => {
    button.addEventListener('click', () => {
      button.setAttribute('aria-expanded', button.getAttribute('aria-expanded') === 'true' ? 'false' : 'true');
      refresh(tableOf(button));
    });
  });

  // The charts last: the tables are set up even if a chart fails.
  const specs = JSON.parse(document.getElementById('chart-specs').textContent);
  window.__charts = {};
  specs.forEach((c) => {
    const view = new vega.View(vega.parse(c.spec), { renderer: 'svg', container: `#chart-${c.id}`, hover: true });
    window.__charts[c.id] = view.runAsync();
  });
})();
