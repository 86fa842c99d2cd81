// Importer for `memray transform csv` output (memray/reporters/transform.py, render_as_csv):
// one row per live allocation site: allocator, num_allocations, size (bytes, all of them), tid,
// thread_name, stack_trace ('function;file;line' frames joined by '|', most recent first).

import { parse } from 'fast-csv';
import { FrameTable } from '../model/frames.js';
import { GroupBuilder, type Snapshot } from '../model/snapshot.js';
import { InputError, TruncatedError } from '../util/errors.js';
import type { Importer, ReadOptions } from './importer.js';
import { headLines } from './lines.js';
import type { InputStream } from './open-input.js';

const FORMAT = 'memray-csv';
const HEADER = 'allocator,num_allocations,size,tid,thread_name,stack_trace';

function sniffMemrayCsv(head: Buffer): boolean {
  return headLines(head, 1)[0]?.replace(/^\uFEFF/, '') === HEADER;
}

interface Row {
  allocator: string;
  num_allocations: string;
  size: string;
  stack_trace: string;
}

// 'function;file;line': the line is after the last ';', the file before it (a file name may hold ';').
function parseFrame(s: string): { filename: string; lineno: number } | null {
  const b = s.lastIndexOf(';');
  const a = b > 0 ? s.lastIndexOf(';', b - 1) : -1;
  const lineno = Number(s.slice(b + 1));
  if (a < 0 || !/^-?\d+$/.test(s.slice(b + 1))) return null;
  return { filename: s.slice(a + 1, b), lineno };
}

async function readMemrayCsv(input: InputStream, opts: ReadOptions): Promise<Snapshot> {
  const frames = opts.frames ?? new FrameTable();
  const groups = new GroupBuilder();
  const warnings: string[] = [
    'memray CSV gives the total bytes of each site, so block sizes are averages of each site',
  ];
  let bytes = 0;
  let row = 1; // the header
  let endedMidLine = false;

  const parser = parse<Row, Row>({ headers: true, strictColumnHandling: true });
  // Each row is added when the next one arrives, so a last row cut short can be left out.
  let pending: Row | null = null;
  const done = new Promise<void>((resolve, reject) => {
    parser.on('data', (r: Row) => {
      if (pending) add(pending);
      pending = r;
    });
    const add = (r: Row): void => {
      row++;
      const count = Number(r.num_allocations);
      const size = Number(r.size);
      if (!/^\d+$/.test(r.num_allocations) || !/^\d+$/.test(r.size) || count === 0) {
        reject(
          new InputError(
            input.label,
            `row ${row}`,
            `expected a positive num_allocations and a size in bytes, found "${r.num_allocations}" and "${r.size}"`,
          ),
        );
        return;
      }
      const ids: number[] = [];
      for (const f of r.stack_trace ? r.stack_trace.split('|') : []) {
        const frame = parseFrame(f);
        if (!frame) {
          reject(
            new InputError(
              input.label,
              `row ${row}`,
              `expected stack frames as 'function;file;line', found "${f.slice(0, 80)}"`,
            ),
          );
          return;
        }
        ids.push(frames.internFrame(frame.filename, frame.lineno));
      }
      // A site with no Python frame, as tracemalloc records it.
      if (!ids.length) ids.push(frames.internFrame('<unknown>', 0));
      groups.add(0, frames.internTraceback(ids), size / count, count);
    };
    parser.on('end', () => {
      if (pending && !endedMidLine) add(pending);
      resolve();
    });
    parser.on('data-invalid', (_r: unknown, n: number) =>
      reject(new InputError(input.label, `row ${n + 1}`, `expected 6 columns (${HEADER})`)),
    );
    parser.on('headers', (h: string[]) => {
      if (h.join(',').replace(/^\uFEFF/, '') !== HEADER)
        reject(new InputError(input.label, 'line 1', `expected the header ${HEADER}`));
    });
    parser.on('error', (e: Error) => {
      parseError = e;
      resolve();
    });
  });
  let parseError: Error | null = null;
  for await (const chunk of input.chunks) {
    if (parseError) break;
    bytes += chunk.length;
    endedMidLine = chunk[chunk.length - 1] !== 0x0a;
    // Copy: chunks share one buffer, and the parser may hold on to a chunk.
    if (!parser.write(Buffer.from(chunk))) {
      await new Promise((r) => {
        parser.once('drain', r);
        parser.once('error', r);
      });
    }
  }
  if (!parseError) parser.end();
  await done;
  // A quoted field left open at the very end is a file cut short, said below.
  if (parseError && !endedMidLine) {
    throw new InputError(input.label, `row ${row + 1}`, `malformed CSV: ${(parseError as Error).message}`);
  }
  if (endedMidLine) {
    const msg = `the file ends in the middle of row ${row}: cut off while being written?`;
    if (!opts.allowPartial) throw new TruncatedError(input.label, `row ${row}`, msg);
    warnings.push(`${input.label}: ${msg} (--allow-partial: that row is left out)`);
  }
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
    partial: endedMidLine,
    warnings,
  };
}

export const importer: Importer = {
  format: FORMAT,
  describe: 'memray transform csv output (header allocator,num_allocations,size,tid,thread_name,stack_trace)',
  sniff: sniffMemrayCsv,
  read: readMemrayCsv,
};
