// The page's vega-lite specs compiled on the chart thread (chart-compiler.ts) are the specs compiled
// on this thread, for the charts of a real report; a spec vega-lite rejects fails the same way.

import type { TopLevelSpec } from 'vega-lite';
import { afterEach, describe, expect, it } from 'vitest';
import { buildReportData } from '../../src/analysis/report-data.js';
import { loadCaptureSet } from '../../src/ingest/capture-set.js';
import { loadCapture } from '../../src/ingest/load-capture.js';
import type { FrameTable } from '../../src/model/frames.js';
import { type ChartCompiler, compileHere, startChartCompiler } from '../../src/report/html/chart-compiler.js';
import { WARM_UP_SPECS } from '../../src/report/html/chart-warmup.js';
import { renderHtml } from '../../src/report/html/page.js';

let compiler: ChartCompiler | null = null;
afterEach(() => compiler?.close());

const inputs = ['fixtures/leaks/memo_leak', 'fixtures/leaks/mprof/leak.dat', 'fixtures/mprof/report-p1.txt'];

describe('the chart thread', () => {
  it('compiles a real report page to the same bytes as this thread', async () => {
    const set = await loadCaptureSet(inputs, { load: (p, frames: FrameTable) => loadCapture(p, { frames }) });
    const data = buildReportData(set, inputs);
    compiler = startChartCompiler();
    const there = await renderHtml(data, undefined, compiler.compile);
    const here = await renderHtml(data, undefined, compileHere);
    expect(there).toBe(here);
    expect(here).toContain('"$schema":"https://vega.github.io/schema/vega/v');
  });

  it('warms up on specs vega-lite compiles (a warm-up that throws would warm nothing)', async () => {
    const compiled = await compileHere(WARM_UP_SPECS);
    expect(compiled).toHaveLength(WARM_UP_SPECS.length);
    for (const spec of compiled) expect(spec.marks?.length).toBeGreaterThan(0);
  });

  it('answers requests sent before the first is answered each with its own specs, in order', async () => {
    compiler = startChartCompiler();
    const [a, b, c] = WARM_UP_SPECS;
    const bad = { mark: 'nonsense', data: { values: [] } } as unknown as TopLevelSpec;
    const asked = [compiler.compile([a!]), compiler.compile([bad]), compiler.compile([b!, c!])];
    const [first, failed, last] = await Promise.allSettled(asked);
    expect(first).toEqual({ status: 'fulfilled', value: await compileHere([a!]) });
    expect(failed?.status).toBe('rejected');
    expect(last).toEqual({ status: 'fulfilled', value: await compileHere([b!, c!]) });
  });

  it('fails on a spec vega-lite rejects, with its message', async () => {
    const bad = { mark: 'nonsense', data: { values: [] } } as unknown as TopLevelSpec;
    const messageOf = (p: Promise<unknown>) =>
      p.then(
        () => 'compiled',
        (e: Error) => e.message,
      );
    compiler = startChartCompiler();
    const there = await messageOf(compiler.compile([bad]));
    expect(there).not.toBe('compiled');
    expect(there).toBe(await messageOf(compileHere([bad])));
  });
});
