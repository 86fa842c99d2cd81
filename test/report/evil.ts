import { writeFileSync } from 'node:fs';

export const EVIL = '</script><img src=x onerror=alert(1)>';

/** A snapshot whose file name is an HTML injection attempt, as arenascope JSON. */
export function evilSnapshot(path: string): void {
  writeFileSync(
    path,
    JSON.stringify({
      format: 'arenascope-snapshot',
      version: 1,
      tracebackLimit: 1,
      frames: [
        [EVIL, 1],
        ['app.py', 2],
      ],
      tracebacks: [[0], [1]],
      traces: [
        [0, 0, 64, 100],
        [0, 1, 32, 10],
      ],
    }),
  );
}
