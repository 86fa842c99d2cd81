// The report page's behaviour, a plain script inlined after the vega runtime: draws the charts from the
// compiled vega specs in #chart-specs (window.__charts holds each view's promise), sorts and filters tables.
(() => {
  const specs = JSON.parse(document.getElementById('chart-specs').textContent);
  window.__charts = {};
  specs.forEach((c) => {
    const view = new vega.View(vega.parse(c.spec), { renderer: 'svg', container: `#chart-${c.id}`, hover: true });
    window.__charts[c.id] = view.runAsync();
  });

  // A cell sorts by the number in its [data-v] element when it has one, else by its text.
  const sortKey = (tr, col) => {
    const td = tr.cells[col];
    const v = td.querySelector('[data-v]');
    return v ? +v.dataset.v : td.textContent;
  };
  document.querySelectorAll('table.sortable th').forEach((th) => {
    th.addEventListener('click', () => {
      const table = th.closest('table');
      const col = +th.dataset.col;
      const body = table.tBodies[0];
      const desc = !th.classList.contains('desc');
      table.querySelectorAll('th').forEach((h) => {
        h.classList.remove('asc', 'desc');
      });
      th.classList.add(desc ? 'desc' : 'asc');
      const rows = Array.from(body.rows).sort((a, b) => {
        const x = sortKey(a, col);
        const y = sortKey(b, col);
        const r = typeof x === 'number' && typeof y === 'number' ? x - y : String(x).localeCompare(String(y));
        return desc ? -r : r;
      });
      rows.forEach((tr) => {
        body.appendChild(tr);
      });
    });
  });

  document.querySelectorAll('input.filter').forEach((input) => {
    input.addEventListener('input', () => {
      const q = input.value.toLowerCase();
      document
        .getElementById(input.dataset.table)
        .querySelectorAll('tbody tr')
        .forEach((tr) => {
          tr.style.display = tr.textContent.toLowerCase().indexOf(q) >= 0 ? '' : 'none';
        });
    });
  });
})();
