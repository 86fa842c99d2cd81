// The limit_memory watch of the pytest plugin (python/arenascope_capture/pytest_plugin.py) on a peak made
// and freed by one statement of the test function (fixtures/run/peak_watch/check.py): looking only at calls
// and returns it never saw it, and a failure named pytest's own lines (2 KiB) for a 3 MiB bytearray.
// CPython 3.12+ (sys.monitoring) looks at every line of the test function: the line is named. Before
// 3.12 the peak is said unseen, and no line is named for it.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../..');
const PYTHONS = ['3.8.18', '3.11.7', '3.12.1', '3.13.0']
  .map((v) => [v, join(homedir(), `.pyenv/versions/${v}/bin/python3`)] as const)
  .filter(([, py]) => existsSync(py));
// The watch needs nothing of pytest: a stand-in module lets it load where pytest is not installed.
const stub = mkdtempSync(join(tmpdir(), 'arenascope-pytest-stub-'));
writeFileSync(
  join(stub, 'pytest.py'),
  'def hookimpl(**kwargs):\n    return lambda f: f\n\n\nclass PytestWarning(UserWarning):\n    pass\n',
);
afterAll(() => rmSync(stub, { recursive: true, force: true }));

describe.skipIf(!PYTHONS.length)('the limit_memory watch, on a peak one statement makes and frees', () => {
  it.each(PYTHONS)('CPython %s: names its line from 3.12 on, and says it unseen before', (version, python) => {
    const r = spawnSync(python, [join(ROOT, 'fixtures/run/peak_watch/check.py')], {
      encoding: 'utf8',
      env: { ...process.env, PYTHONPATH: `${join(ROOT, 'python')}:${stub}` },
    });
    expect(r.stderr).toBe('');
    const seen = JSON.parse(r.stdout) as { seen: boolean; line: number | null; peakLine: number };
    const monitoring = Number(version.split('.')[1]) >= 12;
    expect(seen.seen).toBe(monitoring);
    if (monitoring) expect(seen.line).toBe(seen.peakLine);
  });
});
