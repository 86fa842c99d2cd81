// The @profile call a leak's next step names, in a real `mprof run` (fixtures/mprof/returned/make.sh):
// make() returns a buffer its caller drops (each call ends 30 MiB up, given back before the next call
// starts), keep() appends 20 MiB a call to a store that lives on. Named by the most a call ended
// holding, make() hid keep() (h191).
import { describe, expect, it } from 'vitest';
import { memoryTrends } from '../../src/analysis/mprof.js';
import { loadCapture } from '../../src/ingest/load-capture.js';
import type { MemorySeries } from '../../src/model/memory-series.js';
import { cli } from '../helpers.js';

const DAT = 'fixtures/mprof/returned/returned.dat';

describe("the call a leak's next step names", () => {
  it('is the one whose memory stayed, not the one that returned the most', async () => {
    const s = (await loadCapture(DAT)) as MemorySeries;
    const up = (name: string) =>
      Math.max(...s.functions.filter((f) => f.name === name).map((f) => f.memEndMiB - f.memStartMiB));
    expect(up('__main__.make')).toBeGreaterThan(up('__main__.keep'));
    const main = memoryTrends(s)[0]!;
    expect(main.verdict).toBe('leak');
    expect(main.next).toContain('look first at __main__.keep,');
    expect(main.next).not.toContain('__main__.make');
    // The calls' facts stay listed, make()'s first (the most each ended holding).
    const r = await cli('leaks', '--json', DAT);
    const listed = (JSON.parse(r.out) as { retainingCalls: { name: string }[] }).retainingCalls;
    expect(listed[0]!.name).toBe('__main__.make');
    // A call that raised is measured at its end too, its locals held by the traceback: "returned" said less.
    expect((await cli('leaks', DAT)).out).toContain(
      '@profile calls that ended (returned or raised) holding more memory than at their start:',
    );
  });

  // No call after it to tell: the run's last call (make(60), dropped at once) and two threads' calls
  // that overlap (each kept nothing) were taken as still held, and named over the function that kept
  // the memory (helper h250's runs, fixtures/mprof/returned/make.sh). The samples after them tell.
  it.each([
    ['lastcall.dat', '__main__.keep', '__main__.make'],
    ['threads.dat', '__main__.fülle', '__main__.temp_ß'],
  ])('%s: the samples after a call with none after it say whether its memory stayed', async (f, keeps, drops) => {
    const s = (await loadCapture(`fixtures/mprof/returned/${f}`)) as MemorySeries;
    // The dropping function's calls ended higher than the keeping one's did (a call's end, as recorded).
    const up = (name: string) =>
      Math.max(...s.functions.filter((c) => c.name === name).map((c) => c.memEndMiB - c.memStartMiB));
    expect(up(drops)).toBeGreaterThan(up(keeps));
    const r = await cli('leaks', '--json', `fixtures/mprof/returned/${f}`);
    const { verdict, next } = (JSON.parse(r.out) as { series: { verdict: string; next: string }[] }).series[0]!;
    expect(verdict).toBe('leak');
    expect(next).toContain(`look first at ${keeps},`);
    expect(next).not.toContain(drops);
  });

  // The last call filled a store the interpreter frees at exit, over 0.3 s of samples (helper h255's
  // runs, fixtures/mprof/returned/make.sh): taken as given back, another call was named, or none. A call
  // of the warm-up that kept more (warmup-load.dat) is none of the span judged.
  it.each([
    ['teardown.dat', '__main__.load_all'],
    ['teardown-thread.dat', '__main__.worker'],
    // One call in the warm-up kept more than each call of the leak after it: named over them (h387).
    ['warmup-load.dat', '__main__.handle'],
  ])('%s: the call named is one of the span judged (%s named)', async (f, keeps) => {
    const r = await cli('leaks', '--json', `fixtures/mprof/returned/${f}`);
    const { verdict, next } = (JSON.parse(r.out) as { series: { verdict: string; next: string }[] }).series[0]!;
    expect(verdict).toBe('leak');
    expect(next).toContain(`look first at ${keeps},`);
  });
});
