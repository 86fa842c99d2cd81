// Text captures holding bytes that are not UTF-8: a memory_profiler report printed in Windows' cp1252
// (fixtures/line-reports/make_encodings.py, Debian's memory_profiler) is read with a warning naming
// the first such line; one in UTF-8 holding a U+FFFD of its own source is no such input, however
// the file is cut into chunks.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { textLines } from '../../src/ingest/lines.js';
import { loadCapture } from '../../src/ingest/load-capture.js';
import { openInput } from '../../src/ingest/open-input.js';
import type { LineReport } from '../../src/model/line-report.js';
import { cli } from '../helpers.js';

const DIR = 'fixtures/line-reports/encodings';

async function firstNotUtf8(path: string, chunkSize?: number): Promise<number | null> {
  const text = textLines(await openInput(path, { chunkSize }));
  for await (const _ of text.lines);
  return text.notUtf8();
}

describe('a line report in another encoding than UTF-8', () => {
  it('is read, with a warning naming its first line that is not UTF-8 (the def line of café)', async () => {
    const r = (await loadCapture(`${DIR}/cp1252.txt`)) as LineReport;
    expect(r.kind).toBe('line-report');
    expect(r.warnings).toEqual([expect.stringContaining(`${DIR}/cp1252.txt: line 6: bytes that are not UTF-8`)]);
    // The figures as memory_profiler printed them: rows 5 and 7 to 10, peak 24.4 MiB.
    const lines = r.blocks[0]!.lines;
    expect(lines.filter((l) => l.memMiB !== null).map((l) => l.lineno)).toEqual([5, 7, 8, 9, 10]);
    expect(Math.max(...lines.map((l) => l.memMiB ?? 0))).toBe(24.4);
    expect(lines.find((l) => l.lineno === 7)!.incrementMiB).toBe(2.3);
  });

  it('in UTF-8, holding a U+FFFD its program wrote, is read without one', async () => {
    const r = (await loadCapture(`${DIR}/utf8.txt`)) as LineReport;
    expect(r.warnings).toEqual([]);
    expect(r.blocks[0]!.lines.find((l) => l.lineno === 8)!.source).toContain('\uFFFD remplacé');
  });

  it('finds the same first line whatever the chunks (a character cut between two of them included)', async () => {
    for (let size = 1; size <= 9; size++) {
      expect(await firstNotUtf8(`${DIR}/cp1252.txt`, size)).toBe(6);
      expect(await firstNotUtf8(`${DIR}/utf8.txt`, size)).toBeNull();
    }
  });
});

describe('binary data read as text (--input-format on /dev/urandom: an endless stream, never done; h373)', () => {
  // Bytes of a fixed pseudo-random sequence: about 11% of them control characters no text holds.
  const random = (n: number): Buffer => {
    const b = Buffer.alloc(n);
    let x = 0x2545f491;
    for (let i = 0; i < n; i++) {
      x ^= x << 13;
      x ^= x >>> 17;
      x ^= x << 5;
      b[i] = x & 0xff;
    }
    return b;
  };
  it.each(['tracemalloc-text', 'line-report', 'allocator-stats'])('%s: an error at its first MiB', async (format) => {
    const d = mkdtempSync(join(tmpdir(), 'binary-'));
    const file = join(d, 'noise.bin');
    writeFileSync(file, random(3 << 20));
    const r = await cli('stats', file, '--input-format', format);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(
      /noise\.bin: bytes 0 to \d+: control characters in \d+% of its first [\d,]+ characters: binary data/,
    );
    // A long log of text is no such data: 2 MiB of a listing and words read on.
    const text = join(d, 'long.log');
    writeFileSync(
      text,
      `${'progress: step done\t\u00e9t\u00e9\n'.repeat(80_000)}/app/x.py:1: size=10 B, count=1, average=10 B\n`,
    );
    expect((await cli('stats', text)).code).toBe(0);
    // Nor a log's hole of NULs (logrotate's copytruncate, a crashed writer), nor a spinner's backspaces
    // (h374): refused as binary data, their listings were lost.
    const holed = join(d, 'holed.log');
    writeFileSync(
      holed,
      Buffer.concat([Buffer.alloc(1_500_000), Buffer.from('round 5\n/app/x.py:1: size=10 B, count=1, average=10 B\n')]),
    );
    expect((await cli('stats', holed, '--input-format', 'tracemalloc-text')).code).toBe(0);
    const spinner = join(d, 'spinner.log');
    writeFileSync(
      spinner,
      `${'|\b/\b-\b\\\bworking\n'.repeat(100_000)}/app/x.py:1: size=10 B, count=1, average=10 B\n`,
    );
    expect((await cli('stats', spinner, '--input-format', 'tracemalloc-text')).code).toBe(0);
    rmSync(d, { recursive: true });
  });
});
