// The memory trend of a short `arenascope run -- pytest` (fixtures/run/pytest-short: a real run's
// memory.dat and the times its captures.jsonl gave): 2 tests keeping nothing, 1 s of tests after 1.5 s
// of pytest loading. Judged over the whole run, pytest's start-up and collection (RSS 13 -> 43 MiB)
// read a leak of 0.50 and the gate failed; judged from when its tests began (the `tests` event), the
// span is the tests': their RSS rise (the captures' snapshots of every trace) is no leak that counts.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { memoryTrends } from '../../src/analysis/mprof.js';
import { loadCapture } from '../../src/ingest/load-capture.js';
import type { MemorySeries } from '../../src/model/memory-series.js';

const DIR = 'fixtures/run/pytest-short';
const times = JSON.parse(readFileSync(`${DIR}/times.json`, 'utf8')) as {
  startCapture: number;
  testsBegan: number;
  lastTestEnd: number;
};

describe("a short pytest run's memory, judged from when its tests began", () => {
  it('is no leak that counts; from the start capture, as before, it read one', async () => {
    const s = (await loadCapture(`${DIR}/memory.dat`)) as MemorySeries;
    const tests = memoryTrends({
      ...s,
      programStart: times.testsBegan,
      testsBegan: true,
      programEnd: times.lastTestEnd,
    })[0]!;
    expect(tests.verdict === 'leak' && tests.confidence >= 0.5).toBe(false);
    expect(tests.warmupIsCollection).toBe(true);
    expect(tests.warmupSeconds).toBeCloseTo(times.testsBegan - s.samples.t[0]!, 0);
    const whole = memoryTrends({ ...s, programStart: times.startCapture, programEnd: times.lastTestEnd })[0]!;
    expect([whole.verdict, whole.confidence]).toEqual(['leak', 0.5]);
  });
});
