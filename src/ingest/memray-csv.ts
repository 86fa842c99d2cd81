// Importer for `memray transform csv` output (memray/reporters/transform.py, render_as_csv):
// one row per live allocation site: allocator, num_allocations, size (bytes, all of them), tid,
// thread_name, stack_trace ('function;file;line' frames joined by '|', most recent first). Python's
// csv writer ends every row ('\r\n'; '\n' as some write it): a last row without one was cut off.

import { FrameTable } from '../model/frames.js';
import { GroupBuilder, type Snapshot } from '../model/snapshot.js';
import { InputError } from '../util/errors.js';
import { excerpt, quoted } from '../util/excerpt.js';
import type { Importer, ReadOptions } from './importer.js';
import { headLines, textEnd } from './lines.js';
import { GzipCutError, type InputStream } from './open-input.js';

const FORMAT = 'memray-csv';
const HEADER = 'allocator,num_allocations,size,tid,thread_name,stack_trace';
/** The domain of rows not allocated by pymalloc (memray's MALLOC, CALLOC, REALLOC, MMAP, ...). */
export const SYSTEM_DOMAIN = 1;

function sniffMemrayCsv(head: Buffer): boolean {
  return headLines(head, 1)[0]?.replace(/^\uFEFF/, '') === HEADER;
}

interface Row {
  allocator: string;
  num_allocations: string;
  size: string;
  stack_trace: string;
}

// 'function;file;line': the line is after the last ';', the file between it and the first (a Python
// function name holds no ';', a file name may).
// A line number beyond 2^53 is no line number either.
function parseFrame(s: string): { filename: string; lineno: number } | null {
  const b = s.lastIndexOf(';');
  const a = s.indexOf(';');
  const lineno = Number(s.slice(b + 1));
  if (a < 0 || !/^-?\d+$/.test(s.slice(b + 1)) || !Number.isSafeInteger(lineno)) return null;
  return { filename: s.slice(a + 1, b), lineno };
}

// How much of the last row is kept, to quote it when it was cut off.
const TAIL = 256;
const MAX_ROW_BYTES = 2 ** 20;

/** Where CSV rows end (a line end outside quotes), counted as bytes go by: rows ended, the open row's length. */
class RowEnds {
  ended = 0;
  private open = 0;
  private quoted = false;

  /** Takes the next bytes; gives the length of the row still open after them. */
  feed(chunk: Uint8Array): number {
    for (let i = 0; i < chunk.length; i++) {
      const b = chunk[i]!;
      if (b === 0x22) this.quoted = !this.quoted;
      else if (b === 0x0a && !this.quoted) {
        this.ended++;
        this.open = 0;
        continue;
      }
      this.open++;
    }
    return this.open;
  }
}

async function readMemrayCsv(input: InputStream, opts: ReadOptions): Promise<Snapshot> {
  // Read as memray CSV whatever it holds (--input-format): its first line says so, or it is not.
  if (!input.head.length) throw new InputError(input.label, 'byte 0', 'the input is empty; expected memray CSV');
  if (!sniffMemrayCsv(input.head)) throw new InputError(input.label, 'line 1', `expected the header ${HEADER}`);
  const frames = opts.frames ?? new FrameTable();
  const groups = new GroupBuilder();
  const warnings: string[] = [
    'memray CSV gives the total bytes of each site, so block sizes are averages of each site',
  ];
  let bytes = 0;
  let row = 1; // the header
  let seen = 1; // rows parsed, the header and one not yet added included
  let endedMidLine = false;
  let ending = false; // the input is read whole: what the parser says now is of the last row
  let tail = Buffer.alloc(0); // the start of the last row

  // fast-csv loads only when a memray CSV is read: every other input and command goes without it.
  const { parse } = await import('fast-csv');
  const parser = parse<Row, Row>({ headers: true, strictColumnHandling: true });
  // Each row is added when the next one arrives, so a last row cut short can be left out.
  let pending: Row | null = null;
  // The first error ends the read: rows after a wrong header or a bad row are not looked at.
  let failed: InputError | null = null;
  const rows = new RowEnds();
  const done = new Promise<void>((resolve, reject) => {
    const fail = (e: InputError): void => {
      failed ??= e;
      reject(failed);
    };
    parser.on('data', (r: Row) => {
      seen++;
      if (pending && !failed) add(pending);
      pending = r;
    });
    const add = (r: Row): void => {
      row++;
      const count = Number(r.num_allocations);
      const size = Number(r.size);
      const digits = /^\d+$/.test(r.num_allocations) && /^\d+$/.test(r.size);
      if (!digits || count === 0 || !Number.isSafeInteger(count) || !Number.isSafeInteger(size)) {
        const found = `found ${quoted(r.num_allocations, 30)} and ${quoted(r.size, 30)}`;
        const exact = digits && count > 0 ? ' (beyond 2^53: not counted exactly)' : '';
        fail(
          new InputError(
            input.label,
            `row ${row}`,
            `expected a positive num_allocations and a size in bytes, ${found}${exact}`,
          ),
        );
        return;
      }
      const ids: number[] = [];
      for (const f of r.stack_trace ? r.stack_trace.split('|') : []) {
        const frame = parseFrame(f);
        if (!frame) {
          fail(
            new InputError(
              input.label,
              `row ${row}`,
              `expected stack frames as 'function;file;line' (a line number within 2^53), found ${quoted(f, 80)}`,
            ),
          );
          return;
        }
        ids.push(frames.internFrame(frame.filename, frame.lineno));
      }
      // A site with no Python frame, as tracemalloc records it.
      if (!ids.length) ids.push(frames.internFrame('<unknown>', 0));
      // Whole bytes per block, the site's total exact: count - r blocks of q bytes and r of q + 1
      // (an average of 102400 / 11 summed back to 102400.00000000001, a growth of 1e-14 KiB that failed
      // a gate of 0; sizes that print as 10240 B instead of 10.0 KiB).
      const tb = frames.internTraceback(ids);
      const q = Math.floor(size / count);
      const over = size - q * count;
      // Only PYMALLOC_* rows are pymalloc's blocks (memray --trace-python-allocators); MALLOC, MMAP and
      // the rest are the system allocator's, a domain of their own as tracemalloc gives other domains:
      // replayed into pymalloc's arenas, they made up a fragmented heap.
      const domain = r.allocator.startsWith('PYMALLOC_') ? 0 : SYSTEM_DOMAIN;
      if (count > over) groups.add(domain, tb, q, count - over);
      if (over > 0) groups.add(domain, tb, q + 1, over);
    };
    parser.on('end', () => {
      if (pending && !endedMidLine && !failed) add(pending);
      resolve();
    });
    parser.on('data-invalid', (_r: unknown, n: number) => {
      // The last row, cut off inside its first columns: a file cut short, which textEnd says (with
      // --allow-partial, what came before); it was "expected 6 columns", whatever the flag.
      if (ending && endedMidLine) return;
      fail(new InputError(input.label, `row ${n + 1}`, `expected 6 columns (${HEADER})`));
    });
    parser.on('headers', (h: string[]) => {
      if (h.join(',').replace(/^\uFEFF/, '') !== HEADER)
        fail(new InputError(input.label, 'line 1', `expected the header ${HEADER}`));
    });
    parser.on('error', (e: Error) => {
      // The row in a quoted field left open is not among those parsed: the one before it is whole.
      if (pending && !failed) add(pending);
      pending = null;
      parseError = e;
      resolve();
    });
  });
  // Its failure is read from `failed`: a read that stops early never awaits it (no unhandled rejection).
  done.catch(() => undefined);
  let parseError: Error | null = null;
  try {
    for await (const chunk of input.chunks) {
      if (parseError || failed) break;
      // The parser keeps a row whole until it ends, and takes time in its square to do so: a row of
      // memray's is a stack of frames, never near this (a quote left open, a file of one long line).
      if (rows.feed(chunk) > MAX_ROW_BYTES) {
        const message = `a row runs past ${MAX_ROW_BYTES / 2 ** 20} MiB without ending (a quote left open?)`;
        failed = new InputError(input.label, `row ${rows.ended + 1}`, message);
        break;
      }
      bytes += chunk.length;
      // Ended by '\r' alone, a row is whole: its '\r\n' was cut in two.
      endedMidLine = chunk[chunk.length - 1] !== 0x0a && chunk[chunk.length - 1] !== 0x0d;
      const nl = chunk.lastIndexOf(0x0a);
      if (nl >= 0) tail = Buffer.from(chunk.subarray(nl + 1, nl + 1 + TAIL));
      else if (tail.length < TAIL) tail = Buffer.concat([tail, chunk.subarray(0, TAIL - tail.length)]);
      // Copy: chunks share one buffer, and the parser may hold on to a chunk.
      if (!parser.write(Buffer.from(chunk))) {
        // Either ends the wait; the other listener goes with it (one 'error' listener left behind per
        // wait made Node warn of a leak on a 70 MB file: helper h139).
        await new Promise<void>((resolve) => {
          const done = (): void => {
            parser.off('drain', done);
            parser.off('error', done);
            resolve();
          };
          parser.once('drain', done);
          parser.once('error', done);
        });
      }
    }
  } catch (e) {
    // The end of a gzip stream cut in its trailer: textEnd reports it.
    if (!(e instanceof GzipCutError)) throw e;
  }
  if (failed) {
    parser.destroy();
    throw failed;
  }
  ending = true;
  if (!parseError) parser.end();
  await done.catch(() => undefined);
  if (failed) throw failed;
  // A quoted field left open at the very end is a file cut short, said below.
  if (parseError && !endedMidLine) {
    throw new InputError(
      input.label,
      `row ${row + 1}`,
      `malformed CSV: ${excerpt((parseError as Error).message, 120)}`,
    );
  }
  // The row cut off: the one parsed last, or after it when the parser stopped inside a quoted field.
  const cutRow = parseError ? seen + 1 : seen;
  const cut = endedMidLine ? tail.toString('utf8') : null;
  const what = 'the file ends in the middle of a row';
  warnings.push(...textEnd(input, cut, `row ${cutRow}`, opts.allowPartial ?? false, what));
  if (groups.traceCount === 0) throw new InputError(input.label, 'row 2', 'no allocation rows after the header');
  return {
    kind: 'snapshot',
    source: { path: input.label, format: FORMAT, gzip: input.gzip, bytes },
    frames,
    groups: groups.finish(),
    tracebackLimit: null,
    layout: null,
    traceCount: groups.traceCount,
    totalSize: groups.totalSize,
    time: null,
    partial: endedMidLine || (input.gzipCut?.() ?? null) !== null,
    warnings,
  };
}

export const importer: Importer = {
  format: FORMAT,
  describe: 'memray transform csv output (header allocator,num_allocations,size,tid,thread_name,stack_trace)',
  sniff: sniffMemrayCsv,
  read: readMemrayCsv,
};
