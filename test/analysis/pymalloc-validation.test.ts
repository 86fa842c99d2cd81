// The model against the real allocator: fixtures/pymalloc/validate.py runs each workload twice
// with the local CPython (once taking tracemalloc dumps at its checkpoints, once printing
// sys._debugmallocstats() there instead); the real change in arenas since the first checkpoint must
// lie in the model's compact..scattered range, or within 10% of the real arena count of its nearer
// end. Also with pyenv's CPython 3.8 (256 KiB arenas, no kept empty arena) when it is installed.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { replayReport } from '../../src/analysis/pymalloc/compare.js';
import { loadCaptureSet } from '../../src/ingest/capture-set.js';
import { loadCapture } from '../../src/ingest/load-capture.js';
import type { FrameTable } from '../../src/model/frames.js';
import { python3 } from '../helpers.js';

const py = python3();
const py38 = join(homedir(), '.pyenv/versions/3.8.18/bin/python3');
const runs: { python: string; bin: string }[] = [];
if (py) runs.push({ python: `${py.version[0]}.${py.version[1]}`, bin: py.bin });
if (existsSync(py38)) runs.push({ python: '3.8', bin: py38 });
const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

describe.skipIf(!runs.length).each(runs)('CPython $python', ({ python, bin }) => {
  const out = mkdtempSync(join(tmpdir(), 'arenascope-pymalloc-'));
  dirs.push(out);
  execFileSync('python3', ['fixtures/pymalloc/validate.py', out, '--python', bin], { stdio: 'ignore' });
  const manifest = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8')) as {
    workloads: Record<string, { checkpoints: number }>;
  };

  async function report(workload: string) {
    const load = (p: string, frames: FrameTable) => loadCapture(p, { frames });
    const snaps = await loadCaptureSet([join(out, workload, 'snap-*.pickle')], { load });
    const stats = await loadCaptureSet([join(out, workload, 'stats-*.txt')], { load });
    return replayReport(snaps.series.snapshots, snaps.series.labels, stats.allocatorStats, { python });
  }

  it.each(Object.keys(manifest.workloads))(
    '%s: the real change in arenas is within the model range',
    async (workload) => {
      const r = await report(workload);
      expect(r.captures).toHaveLength(manifest.workloads[workload]!.checkpoints);
      for (const c of r.captures) {
        const { compact, scattered, real } = c.arenasSinceFirst;
        const lo = Math.min(compact, scattered);
        const hi = Math.max(compact, scattered);
        const near = real! < lo ? lo : Math.min(real!, hi);
        expect(Math.abs(real! - near), `${c.label}: real ${real}, model ${lo}..${hi}`).toBeLessThanOrEqual(
          0.1 * c.real!.arenas,
        );
      }
    },
  );

  it('scattered survivors are reported as fragmented, compact ones are not', async () => {
    expect((await report('scattered')).fragmented.verdict).toBe('yes');
    expect((await report('compact')).fragmented.verdict).toBe('no');
  });
});
