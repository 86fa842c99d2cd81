import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { SnapshotMachine } from '../../src/ingest/pickle/snapshot-machine.js';
import { TraceScanner } from '../../src/ingest/pickle/trace-scanner.js';
import { FrameTable } from '../../src/model/frames.js';
import { GroupBuilder } from '../../src/model/snapshot.js';

// The WebAssembly trace scanner (src/ingest/pickle/assembly/trace-scanner.ts) against the JavaScript
// reader on the same bytes: every dump read with the scanner must give what the reader alone gives
// (the scanner switched off by a stub that consumes nothing), for whole, chunked, cut and mutated
// input. Real dumps: CPython 3.6-3.13, protocols 2, 4 and 5, 3- and 4-item traces.

function pickles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.pickle'))
    .map((f) => join(dir, f))
    .sort();
}

const REAL = [...pickles('fixtures/dumps'), ...pickles('fixtures/parity'), ...pickles('fixtures/leaks')];
const BAD = pickles('fixtures/bad');

/** Reads bytes in chunks with a fresh machine: everything it reports, independent of group order. */
function readAll(data: Buffer, chunk: number, allowPartial: boolean): unknown {
  const frames = new FrameTable();
  const groups = new GroupBuilder();
  const machine = new SnapshotMachine('test.pickle', frames, groups);
  try {
    for (let i = 0; i < data.length; i += chunk) machine.feed(data.subarray(i, i + chunk));
    const r = machine.finish(allowPartial);
    const g = groups.finish();
    const rows: string[] = [];
    for (let i = 0; i < g.length; i++) {
      const tb = g.traceback[i]!;
      rows.push(JSON.stringify([g.domain[i], tb, g.size[i], g.count[i], frames.totalNframe(tb)]));
    }
    const tracebacks = [];
    for (let tb = 0; tb < frames.tracebackCount; tb++) tracebacks.push(frames.tracebackFrames(tb));
    return { ...r, shared: [...r.shared], groups: rows.sort(), tracebacks, traces: groups.traceCount };
  } catch (e) {
    return { error: `${(e as Error).name}: ${(e as Error).message}` };
  }
}

/** The same read with and without the scanner. */
function both(data: Buffer, chunk = data.length || 1, allowPartial = false): [unknown, unknown] {
  const withScanner = readAll(data, chunk, allowPartial);
  scannerOff = true;
  const readerAlone = readAll(data, chunk, allowPartial);
  scannerOff = false;
  return [withScanner, readerAlone];
}

// Every scan goes through this stub: it counts what the scanner consumed, or, while scannerOff,
// consumes nothing, which leaves every trace to the JavaScript reader.
const realScan = TraceScanner.prototype.scan;
let scannerOff = false;
let scanned = 0;
beforeEach(() => {
  vi.spyOn(TraceScanner.prototype, 'scan').mockImplementation(function (this: TraceScanner, ...args) {
    if (scannerOff) return { end: args[0], traces: 0 };
    const r = realScan.apply(this, args);
    scanned += r.traces;
    return r;
  });
});

// A small seeded generator, so that a failure names a case that can be run again.
function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s ^ (s >>> 15), 0x2c1b3c6d) + 0x6d2b79f5) >>> 0;
    return s / 2 ** 32;
  };
}

// Bytes that steer the scanner: the opcodes of a trace tuple, and values that make a BININT negative.
const STEERING = [0x28, 0x4a, 0x4b, 0x4d, 0x4e, 0x68, 0x6a, 0x74, 0x87, 0x94, 0x80, 0xff, 0x00, 0x2e];

afterEach(() => {
  vi.restoreAllMocks();
  scanned = 0;
  scannerOff = false;
});

describe('the trace scanner agrees with the JavaScript reader', () => {
  it('finds the scanner in use: it consumes most traces of the real dumps', () => {
    let traces = 0;
    for (const file of pickles('fixtures/dumps')) {
      const r = readAll(readFileSync(file), 1 << 20, false) as { traces?: number };
      traces += r.traces ?? 0;
    }
    expect(traces).toBeGreaterThan(10_000);
    expect(scanned).toBeGreaterThan(traces * 0.8);
  });

  it.each(REAL)('%s: whole and in chunks of 1000 and 61 bytes', (file) => {
    const data = readFileSync(file);
    for (const chunk of [data.length, 1000, 61]) {
      const [a, b] = both(data, chunk);
      expect(a, `chunks of ${chunk}`).toEqual(b);
    }
  });

  it.each(BAD)('%s: the same refusal', (file) => {
    const [a, b] = both(readFileSync(file));
    expect(a).toEqual(b);
  });

  it.each(REAL.filter((f) => /inventory-b|py3\d+-shallow/.test(f)))('%s: cut anywhere', (file) => {
    const data = readFileSync(file);
    const next = random(data.length);
    for (let k = 0; k < 15; k++) {
      const cut = data.subarray(0, Math.floor(next() * data.length));
      for (const allowPartial of [false, true]) {
        const [a, b] = both(cut, 1000, allowPartial);
        expect(a, `cut at ${cut.length}, allowPartial ${allowPartial}`).toEqual(b);
      }
    }
  });

  it.each(REAL.filter((f) => /inventory-b|py3\d+-tree|steady\/snap-1|temporaries\/snap-4/.test(f)))(
    '%s: mutated bytes',
    (file) => {
      const data = readFileSync(file);
      const next = random(data.length * 31);
      for (let k = 0; k < 30; k++) {
        const bad = Buffer.from(data);
        const changes: string[] = [];
        for (let m = 1 + Math.floor(next() * 3); m > 0; m--) {
          const at = Math.floor(next() * bad.length);
          const byte = next() < 0.7 ? STEERING[Math.floor(next() * STEERING.length)]! : Math.floor(next() * 256);
          bad[at] = byte;
          changes.push(`byte ${at} = 0x${byte.toString(16)}`);
        }
        const [a, b] = both(bad, 4096, true);
        expect(a, changes.join(', ')).toEqual(b);
      }
    },
  );
});

// Dumps of hand-built snapshots, written by CPython itself: every int width the scanner reads, at its
// boundaries (BININT1/BININT2/BININT, 2^31 and beyond as LONG1), 300 tracebacks (so LONG_BINGET),
// total_nframe None or an int, protocols 2 to 5, and a negative domain, size or total_nframe.
const WRITE_DUMPS = `
import itertools, pickle, sys, tracemalloc
out, bad = sys.argv[1], sys.argv[2]
four = sys.version_info >= (3, 9)
frames = [("/app/m%d.py" % (i % 40), i) for i in range(310)]
tbs = [tuple(frames[i:i + 1 + i % 4]) for i in range(300)]
values = [0, 1, 255, 256, 32767, 32768, 65535, 65536, 2 ** 31 - 1]
traces = [(0, 1, tb, None)[:4 if four else 3] for tb in tbs]
for i, (domain, size) in enumerate(itertools.product(values, values + [2 ** 31, 2 ** 40])):
    total = [None, 3, 255, 32768, 70000][i % 5]
    for k in range(1 + i % 3):
        traces.append((domain, size, tbs[(i * 7 + k) % 300], total)[:4 if four else 3])
if bad != "none":
    t = {"domain": (-1, 8), "size": (0, -8), "total": (0, 8)}[bad]
    traces.insert(len(traces) // 2, (t[0], t[1], tbs[5], -2 if bad == "total" else None)[:4 if four else 3])
snapshot = tracemalloc.Snapshot(traces, 10)
for protocol in range(2, pickle.HIGHEST_PROTOCOL + 1):
    with open("%s-p%d.pickle" % (out, protocol), "wb") as f:
        pickle.dump(snapshot, f, protocol)
`;

const PYTHONS = ['3.6.15', '3.8.18', '3.11.7', '3.13.0']
  .map((v) => join(homedir(), '.pyenv/versions', v, 'bin/python3'))
  .filter((bin) => existsSync(bin));
const made = mkdtempSync(join(tmpdir(), 'trace-scanner-'));
afterAll(() => rmSync(made, { recursive: true, force: true }));

describe.skipIf(PYTHONS.length === 0)('the trace scanner on dumps written by CPython for it', () => {
  it.each(PYTHONS)('%s: every int width, LONG_BINGET, protocols 2-5, negative values', (bin) => {
    const version = bin.split('/').at(-3)!;
    for (const bad of ['none', 'domain', 'size', 'total']) {
      execFileSync(bin, ['-c', WRITE_DUMPS, join(made, `${version}-${bad}`), bad]);
    }
    const files = pickles(made).filter((f) => f.includes(version));
    expect(files.length).toBeGreaterThanOrEqual(4 * 3);
    for (const file of files) {
      const data = readFileSync(file);
      for (const chunk of [data.length, 997]) {
        const [a, b] = both(data, chunk);
        expect(a, `${file} in chunks of ${chunk}`).toEqual(b);
        if (file.includes('none')) expect(a).toHaveProperty('traces', 300 + 9 * 11 * 2);
        else if (!file.includes('total')) expect(a).toHaveProperty('error');
      }
    }
    expect(scanned).toBeGreaterThan(0);
  });

  // The scanner's traceback table starts at 1,024 slots and doubles when half full (its memory
  // grows, and the JavaScript views of it are made again): 5,000 tracebacks cross that four times.
  it.each(PYTHONS.slice(-1))('%s: 5,000 tracebacks, the table growing while it is read', (bin) => {
    const file = join(made, 'many-tracebacks.pickle');
    const script =
      'import sys, tracemalloc\n' +
      'tbs = [(("/app/m%d.py" % (i % 97), i),) for i in range(5000)]\n' +
      'traces = [(0, 8 * (1 + k % 5), tbs[(k * 7919) % 5000], None) for k in range(40000)]\n' +
      'tracemalloc.Snapshot(traces, 1).dump(sys.argv[1])\n';
    execFileSync(bin, ['-c', script, file]);
    const data = readFileSync(file);
    for (const chunk of [1 << 18, 997]) {
      const [a, b] = both(data, chunk);
      expect(a, `in chunks of ${chunk}`).toEqual(b);
      expect(a).toHaveProperty('traces', 40000);
    }
    expect(scanned).toBeGreaterThan(2 * 30000);
  });
});
