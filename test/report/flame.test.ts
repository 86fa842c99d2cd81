// The flame graph of the allocation tree: the tree against CPython's own tracebacks, the source lines
// against CPython's linecache, and the vega spec parsed and run by vega itself in Node (headless):
// labels that never overlap, zoom, search and the machinery toggle changing what is drawn.
import { readFileSync } from 'node:fs';
import * as vega from 'vega';
import { describe, expect, it } from 'vitest';
import type { TreeNode } from '../../src/analysis/report-data.js';
import { buildReportData } from '../../src/analysis/report-data.js';
import { loadCaptureSet } from '../../src/ingest/capture-set.js';
import { loadCapture } from '../../src/ingest/load-capture.js';
import type { FrameTable } from '../../src/model/frames.js';
import { type FlameRect, flameChart, flameRects, flameSpec } from '../../src/report/html/flame.js';
import { fileSourceLookup, type SourceLookup } from '../../src/report/linecache.js';

const treeOf = async (inputs: string[]): Promise<TreeNode> => {
  const set = await loadCaptureSet(inputs, { load: (p, frames: FrameTable) => loadCapture(p, { frames }) });
  return buildReportData(set, ['x']).snapshots!.tree;
};

interface Scene {
  items?: Scene[];
  marktype?: string;
  name?: string;
  bounds?: { x1: number; y1: number; x2: number; y2: number };
  x?: number;
  x2?: number;
  y?: number;
  opacity?: number;
  fill?: string;
  fillOpacity?: number;
  text?: string;
  datum?: FlameRect & { px0: number; px1: number; hit: boolean };
}

/** The items of a named mark of a view's scene graph. */
function items(view: vega.View, name: string): Scene[] {
  const found: Scene[] = [];
  const walk = (s: Scene): void => {
    if (s.marktype && s.name === name) found.push(...(s.items ?? []));
    else for (const c of s.items ?? []) walk(c);
  };
  walk((view.scenegraph() as unknown as { root: Scene }).root);
  return found;
}

async function draw(rects: readonly FlameRect[], width = 800): Promise<vega.View> {
  const view = new vega.View(vega.parse(flameSpec(rects)), { renderer: 'none' });
  view.signal('width', width);
  await view.runAsync();
  return view;
}

const overlap = (a: Scene['bounds'], b: Scene['bounds']): boolean =>
  !!a && !!b && a.x1 < b.x2 && b.x1 < a.x2 && a.y1 < b.y2 && b.y1 < a.y2;

// CPython 3.11's statistics('traceback') of tree.pickle, as it printed them (fixtures/parity).
const parity = JSON.parse(readFileSync('fixtures/parity/expected.json', 'utf8')).tree as {
  sourcePath: string[];
  cases: { files: string[]; output: string }[];
  getline: { filename: string; lineno: number; by: Record<string, { line?: string }> }[];
};

describe('the tree the flame graph draws', () => {
  it('has the bytes CPython counts under each frame path, oldest frame at the root', async () => {
    const c = parity.cases.find((x) => x.files.join() === 'fixtures/parity/tree/tree.pickle')!;
    // Each statistic: a header "site: size=N B, ..." then its frames, oldest first (Traceback.format()).
    const expected = new Map<string, number>();
    let size = 0;
    let path = '';
    for (const line of c.output.split('\n')) {
      const head = /: size=(\d+) B,/.exec(line);
      if (head) [size, path] = [Number(head[1]), ''];
      const frame = /^ {2}File "(.*)", line (\d+)$/.exec(line);
      if (frame) {
        path += `\n${frame[1]}:${frame[2]}`;
        expected.set(path, (expected.get(path) ?? 0) + size);
      }
    }
    const got = new Map<string, number>();
    const walk = (n: TreeNode, p: string): void => {
      for (const ch of n.children) {
        got.set(`${p}\n${ch.name}`, ch.bytes);
        walk(ch, `${p}\n${ch.name}`);
      }
    };
    const tree = await treeOf(['fixtures/parity/tree/tree.pickle']);
    walk(tree, '');
    expect(got).toEqual(expected);
    expect(tree.bytes).toBe([...expected].filter(([p]) => p.lastIndexOf('\n') === 0).reduce((s, [, b]) => s + b, 0));
  });

  it('folds the machinery and drops the bootstrap of `arenascope run`; small frames become "other"', async () => {
    const tree = await treeOf(['fixtures/run-folder/run']);
    const all: TreeNode[] = [];
    const walk = (n: TreeNode): void => {
      all.push(n);
      n.children.forEach(walk);
    };
    walk(tree);
    const program = all.filter((n) => n.filename?.endsWith('app.py'));
    expect(program.length).toBeGreaterThan(0);
    // The program's outermost frames sit at the root, not under runpy and the runner.
    expect(tree.children.some((n) => n.filename?.endsWith('app.py'))).toBe(true);
    const under = (n: TreeNode): boolean => n.children.some((c) => c.filename?.endsWith('app.py') || under(c));
    expect(all.filter((n) => /runpy\.py$|arenascope_capture/.test(n.filename ?? '')).some(under)).toBe(false);
    const controller = all.filter((n) => /arenascope_capture[\\/]_\w+\.py$/.test(n.filename ?? ''));
    expect(controller.length).toBeGreaterThan(0);
    for (const n of controller) expect(n.internalBytes).toBe(n.bytes);
    // Children under 0.1% of the total are merged; a node's children never hold more than it does.
    for (const n of all) {
      expect(n.children.reduce((s, c) => s + c.bytes, 0)).toBeLessThanOrEqual(n.bytes);
      for (const c of n.children)
        if (c.filename !== undefined) expect(c.bytes).toBeGreaterThanOrEqual(tree.bytes * 0.001);
    }
    const rects = flameRects(tree);
    expect(rects.filter((r) => r.kind === 'machinery').length).toBeGreaterThan(0);
    for (const r of rects.filter((x) => x.kind === 'machinery')) expect(r.fx0).toBeNull();
  });

  it("shows in each frame's tooltip the source line CPython's linecache finds, none for other files", async () => {
    const tree = await treeOf(['fixtures/parity/tree/tree.pickle']);
    const rects = flameRects(tree, fileSourceLookup(parity.sourcePath));
    for (const g of parity.getline) {
      const line = g.by['3.11']?.line;
      const r = rects.find((x) => x.tip.startsWith(`${g.filename}:${g.lineno}\n`));
      if (!r) continue;
      if (line) expect(r.tip).toContain(`\nsource: ${line}`);
      else expect(r.tip).not.toContain('source:');
    }
    expect(rects.filter((r) => r.tip.includes('\nsource: ')).length).toBeGreaterThan(3);
    // Only Python files are read: a dump can name any file, and the page may be shared.
    const asked: string[] = [];
    const spy: SourceLookup = (f) => {
      asked.push(f);
      return 'x';
    };
    flameRects(
      {
        name: 'all',
        bytes: 2,
        children: [{ name: '/etc/passwd:1', filename: '/etc/passwd', lineno: 1, bytes: 2, children: [] }],
      },
      spy,
    );
    expect(asked).toEqual([]);
  });
});

describe('the flame graph in vega', () => {
  it('parses and renders headless to SVG, one box per frame, the root across the width', async () => {
    const tree = await treeOf(['fixtures/dumps/py311-inventory-b.pickle']);
    const rects = flameRects(tree);
    const view = await draw(rects);
    const svg = await view.toSVG();
    expect(svg).toMatch(/^<svg[^>]* width="800"/);
    const boxes = items(view, 'frame');
    // Everything but the folded machinery and boxes under half a pixel.
    expect(boxes.length).toBeGreaterThan(10);
    expect(boxes.length).toBeLessThanOrEqual(rects.filter((r) => r.kind !== 'machinery').length);
    const root = boxes.find((b) => b.datum!.kind === 'root')!;
    expect([root.x, root.x2]).toEqual([0, 800]);
    const chart = flameChart(tree);
    expect(chart.vega).toBe(true);
    vega.parse(chart.spec as vega.Spec);
  });

  it.each([800, 400, 1400])('draws no two labels over each other at width %i, each within its box', async (width) => {
    const view = await draw(flameRects(await treeOf(['fixtures/run-folder/run'])), width);
    const shown = items(view, 'label').filter((t) => t.opacity !== 0);
    expect(shown.length).toBeGreaterThan(2);
    for (const t of shown) {
      expect(t.bounds!.x1).toBeGreaterThanOrEqual(t.datum!.px0);
      expect(t.bounds!.x2).toBeLessThanOrEqual(t.datum!.px1);
    }
    for (let i = 0; i < shown.length; i++)
      for (let j = i + 1; j < shown.length; j++)
        expect(overlap(shown[i]!.bounds, shown[j]!.bounds), `${shown[i]!.text} / ${shown[j]!.text}`).toBe(false);
  });

  it('zooms a clicked box to the full width, its children laid out again; the root zooms out', async () => {
    const rects = flameRects(await treeOf(['fixtures/dumps/py311-inventory-b.pickle']));
    const view = await draw(rects);
    // A box with children, narrow before the zoom.
    const target = items(view, 'frame')
      .map((b) => b.datum!)
      .find(
        (d) =>
          d.kind === 'frame' &&
          d.px1 - d.px0 < 400 &&
          rects.some((r) => r.depth === d.depth + 1 && r.x0 >= d.x0 && r.x1 <= d.x1),
      )!;
    expect(target).toBeDefined();
    view.signal('zoom', target);
    await view.runAsync();
    const boxes = items(view, 'frame');
    const zoomed = boxes.find((b) => b.datum === target)!;
    expect([zoomed.x, zoomed.x2]).toEqual([0, 800]);
    const kids = boxes.filter((b) => b.datum!.depth === target.depth + 1);
    expect(kids.length).toBeGreaterThan(0);
    const scale = 800 / (target.fx1! - target.fx0!);
    for (const k of kids) expect(k.x2! - k.x!).toBeCloseTo((k.datum!.fx1! - k.datum!.fx0!) * scale, 6);
    // Nothing beside the zoomed box at its depth or below.
    for (const b of boxes) if (b.datum!.depth >= target.depth) expect(b.datum!.fx0).toBeGreaterThanOrEqual(target.fx0!);
    view.signal('zoom', null);
    await view.runAsync();
    expect(items(view, 'frame').find((b) => b.datum === target)!.x2).toBeLessThan(400);
  });

  it('search highlights the frames whose file, line or source holds the text and dims the rest', async () => {
    const rects = flameRects(await treeOf(['fixtures/run-folder/run']));
    const view = await draw(rects);
    view.signal('search', 'APP.py:14');
    await view.runAsync();
    const boxes = items(view, 'frame');
    const hits = boxes.filter((b) => b.datum!.hit);
    expect(hits.map((b) => b.datum!.label)).toEqual(['app.py:14']);
    expect(hits[0]!.fill).toBe('#8e44ad');
    for (const b of boxes.filter((x) => !x.datum!.hit)) expect(b.fillOpacity).toBe(0.3);
    view.signal('search', '');
    await view.runAsync();
    for (const b of items(view, 'frame')) expect(b.fillOpacity).toBe(1);
  });

  it("shows the import machinery and arenascope's capture code only when asked", async () => {
    const view = await draw(flameRects(await treeOf(['fixtures/run-folder/run'])));
    const kinds = () => new Set(items(view, 'frame').map((b) => b.datum!.kind));
    expect(kinds().has('machinery')).toBe(false);
    view.signal('showInternal', true);
    await view.runAsync();
    expect(kinds().has('machinery')).toBe(true);
  });
});
