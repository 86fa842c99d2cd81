import { describe, expect, it } from 'vitest';
import { withoutCaptureFrames } from '../../src/analysis/filters.js';

// A traceback as `arenascope run` records it (oldest frame first), from a run of
// fixtures/run/leaky_service.py on CPython 3.11: runpy, the bootstrap, then the program.
const recorded = [
  { filename: '<frozen runpy>', lineno: 198 },
  { filename: '<frozen runpy>', lineno: 88 },
  { filename: '/opt/arenascope/python/arenascope_capture/__main__.py', lineno: 5 },
  { filename: '/opt/arenascope/python/arenascope_capture/_runner.py', lineno: 171 },
  { filename: '/opt/arenascope/python/arenascope_capture/_runner.py', lineno: 101 },
  { filename: '/srv/app/leaky_service.py', lineno: 17 },
  { filename: '/srv/app/leaky_service.py', lineno: 12 },
];

describe("the capture bootstrap's frames", () => {
  it('are left out beneath the program frames', () => {
    expect(withoutCaptureFrames(recorded)).toEqual(recorded.slice(5));
  });

  it('leave a traceback without them as it is, and one of only them whole', () => {
    expect(withoutCaptureFrames(recorded.slice(5))).toEqual(recorded.slice(5));
    expect(withoutCaptureFrames(recorded.slice(0, 5))).toEqual(recorded.slice(0, 5));
  });

  it('are recognised on Windows paths, and a file merely named like them is not one', () => {
    const win = [{ filename: 'C:\\pkg\\python\\arenascope_capture\\_runner.py', lineno: 101 }, recorded[6]!];
    expect(withoutCaptureFrames(win)).toEqual([recorded[6]]);
    const mine = [{ filename: '/srv/app/my_runner.py', lineno: 1 }, recorded[6]!];
    expect(withoutCaptureFrames(mine)).toEqual(mine);
  });
});
