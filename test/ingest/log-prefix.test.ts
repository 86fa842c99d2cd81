// The log prefix before a message, as formats not in fixtures/text/make_logging_logs.py write it: each
// prefix below is what CPython 3.11's logging printed for its format (given in the comment), before a
// statistic of a file named 'D:\proj\mod.py'.
import { describe, expect, it } from 'vitest';
import { isLogPrefix, prefixCuts } from '../../src/ingest/log-prefix.js';

const longest = (head: string): string => head.slice(0, prefixCuts(head).at(-1)?.end ?? 0);

describe('prefixCuts', () => {
  it.each([
    ['svc.db:DEBUG:', '%(name)s:%(levelname)s:%(message)s'],
    ['1796064718.100145 ', '%(created)f %(message)s'],
    ['2026-11-30 18:51:58,101|DEBUG|', '%(asctime)s|%(levelname)s|%(message)s'],
    ['DEBUG: ', '%(levelname)s: %(message)s'],
    ['2026-11-30 18:51:58,105 svc.db ', '%(asctime)s %(name)s %(message)s'],
    ['[DEBUG] 2026-11-30 18:51:58,106: ', '[%(levelname)s] %(asctime)s: %(message)s'],
    ['[2026-11-30 18:51:58 +0000] [29108] [DEBUG] ', "gunicorn's, datefmt '[%Y-%m-%d %H:%M:%S %z]'"],
    ['2026-11-30 18:51:58,110,110 DEBUG [svc.db:29] ', '%(asctime)s,%(msecs)d %(levelname)-5.5s [%(name)s:%(lineno)d]'],
    ['[30/Nov/2026 18:51:58] DEBUG ', "[%(asctime)s] %(levelname)s, datefmt '%d/%b/%Y %H:%M:%S'"],
    ['2026-11-30T18:51:58+0000 DEBUG ', "datefmt '%Y-%m-%dT%H:%M:%S%z'"],
    ['Nov 30 18:51:58 DEBUG svc.db: ', "%(asctime)s %(levelname)s %(name)s:, datefmt '%b %d %H:%M:%S'"],
    // Libraries' own defaults (they were left in the file names, or cut inside a field):
    ['[2026-12-01 06:28:40,177: INFO/MainProcess] ', "Celery's worker, '[%(asctime)s: %(levelname)s/%(processName)s]'"],
    ['I1201 06:29:07.225833 139938862332800 make_log.py:12] ', "absl-py's, 'I%m%d %H:%M:%S.%f thread file:line]'"],
    ['2026-12-01 06:29:32.677 | INFO     | __main__:<module>:13 - ', "loguru's default format"],
    // Left in part or whole (each minute, or each run, a new site):
    [
      '05-01 07:54 memwatch     INFO     ',
      "the cookbook's '%(asctime)s %(name)-12s %(levelname)-8s', datefmt '%m-%d %H:%M'",
    ],
    [
      '2024-05-01 07:54:21,288.288 INFO [MainThread] memwatch - ',
      "'%(asctime)s.%(msecs)03d %(levelname)s [%(threadName)s] %(name)s - '",
    ],
    [
      '2024-05-01 07:54:21 +0000 [1675] [INFO] ',
      "'%(asctime)s [%(process)d] [%(levelname)s]', datefmt '%Y-%m-%d %H:%M:%S %z'",
    ],
    // The logging line's file and line (h381): a path, and a function name of the module's top level.
    ['/srv/app/lf.py:16 INFO ', "'%(pathname)s:%(lineno)d %(levelname)s'"],
    ['C:\\proj\\lf.py:16 INFO ', "'%(pathname)s:%(lineno)d %(levelname)s', on Windows"],
    [
      '2026-12-08 00:05:47,589 lf.<module>:16 [INFO] ',
      "'%(asctime)s %(module)s.%(funcName)s:%(lineno)d [%(levelname)s]'",
    ],
  ])('%j (%s) ends before the file name', (prefix) => {
    expect(longest(`${prefix}D:\\proj\\mod.py`)).toBe(prefix);
  });

  it.each([
    ['a drive letter', 'D:\\proj\\mod.py'],
    ['a path', '/srv/app/x.py'],
    ['a frozen module', '<frozen importlib._bootstrap>'],
    ['a relative path with spaces and colons', 'my dir/a: b.py'],
    ['digits and words', '2024 data/load.py'],
    // No time or level: a logger name alone cannot be told from a file name.
    ['a name and a colon', 'app: /srv/x.py'],
    ['%(relativeCreated)6d %(threadName)s (no time or level: left as it is)', '    98 MainThread /srv/x.py'],
  ])('%s is no prefix: %j', (_, head) => {
    expect(prefixCuts(head)).toEqual([]);
  });

  it('offers every place a run could end, the same shape for lines of one format', () => {
    const a = prefixCuts('INFO:app.worker:2024 data/load.py');
    const b = prefixCuts('WARNING:app:/srv/x.py');
    expect(a.map((c) => c.shape)).toEqual(['L:', 'L:N:', 'L:N:D ']);
    expect(b.map((c) => c.shape)).toEqual(['L:', 'L:N:']);
  });
});

describe('isLogPrefix', () => {
  it('takes a whole run, with or without its last separator', () => {
    expect(isLogPrefix('2026-11-30 18:49:22,734 INFO [app.worker] ')).toBe(true);
    expect(isLogPrefix('INFO:app:')).toBe(true);
    expect(isLogPrefix('2026-11-30 18:49:22,734 INFO [app.worker]')).toBe(true);
    expect(isLogPrefix('app.worker:')).toBe(false);
    expect(isLogPrefix('INFO x/')).toBe(false);
  });
});
