// Opening an input (a file or '-' for stdin) as a stream of chunks, with gzip undone transparently.
// The first chunk is peeked so formats can be sniffed from content, then replayed. A gzip stream cut
// short is found by following its framing (GzipFrames) beside the decompression.

import { closeSync, fstatSync, openSync, readSync, statSync } from 'node:fs';
import type { Readable } from 'node:stream';
import type { Gunzip, InflateRaw } from 'node:zlib';
import { InputError, TruncatedError } from '../util/errors.js';
import { zlib } from '../util/zlib.js';

export const CHUNK_SIZE = 1 << 18;

/** Called as raw input is read: bytes so far, and the file size when known. */
export type ProgressCallback = (read: number, total: number | null) => void;

export interface OpenOptions {
  readonly chunkSize?: number;
  readonly onProgress?: ProgressCallback;
}

export interface InputStream {
  /** The path as given, or '-' for stdin; used in every message. */
  readonly label: string;
  readonly gzip: boolean;
  /** The first bytes of the (decompressed) content, for sniffing. */
  readonly head: Buffer;
  /**
   * The whole (decompressed) content, head included, in chunks. For a gzip stream cut in its trailer
   * or in the header of a member (what came before whole, so no reader of it can tell), it ends by
   * throwing GzipCutError; a reader that applies gzipEnd itself catches it.
   */
  readonly chunks: AsyncIterable<Buffer>;
  /** A plain file's size in bytes when it was opened (a reader's hint: how much to make room for). */
  readonly size?: number;
  /** gzip only, once `chunks` has ended: where the compressed data stops if it was cut, else null. */
  readonly gzipCut?: () => GzipCut | null;
}

/** Where a gzip stream stops short: in a member's header or deflate data, or in its 8-byte trailer. */
export interface GzipCut {
  /** Bytes of compressed data: where it stops. */
  readonly at: number;
  readonly inside: 'header' | 'deflate' | 'trailer';
}

/** What `chunks` throws at the end of a gzip stream cut where no reader of its content can tell. */
export class GzipCutError extends TruncatedError {
  override name = 'GzipCutError';
}

const CUT_INSIDE = {
  header: "in a member's header",
  deflate: 'in the middle of its compressed data',
  trailer: 'before the end of its 8-byte trailer (the data it holds may be whole)',
};

// Inputs read cut short with --allow-partial (a reader kept what came before the cut): load-capture
// marks their captures (SourceInfo.partial), which a gate and a baseline leave out.
const cutShort = new WeakSet<InputStream>();

/** Records that the input was read cut short (--allow-partial kept what came before the cut). */
export function markCutShort(input: InputStream): void {
  cutShort.add(input);
}

export const wasCutShort = (input: InputStream): boolean => cutShort.has(input);

// Inputs whose last line, with no line end, was read as whole (an mprof sample
// to every digit): cut there or not cannot be told. load-capture marks them (SourceInfo.unended), which
// a gate and a baseline refuse (left out, one over a limit passed on the files beside it).
const unended = new WeakMap<InputStream, number>();

/** Records that the input's last line (its number) had no line end and was read as whole. */
export function markUnended(input: InputStream, line: number): void {
  unended.set(input, line);
}

export const unendedAt = (input: InputStream): number | undefined => unended.get(input);

/**
 * The rule for a gzip input cut short, the same for every format: a TruncatedError naming where the
 * compressed data stops, or with allowPartial the warning to give (what was decompressed is read).
 */
export function gzipEnd(input: InputStream, allowPartial: boolean): string | null {
  const cut = input.gzipCut?.() ?? null;
  if (!cut) return null;
  if (!allowPartial) throw gzipCutError(input.label, cut, '--allow-partial reads what it holds');
  markCutShort(input);
  const where = `${input.label}: byte ${cut.at} of the compressed file`;
  return `${where}: ${cutMessage(cut)} What it holds is read (--allow-partial)`;
}

/** The content of an input up to where a cut gzip stream stops; its reader then applies gzipEnd. */
export async function* untilGzipCut(input: InputStream): AsyncGenerator<Buffer> {
  try {
    yield* input.chunks;
  } catch (e) {
    if (!(e instanceof GzipCutError)) throw e;
  }
}

const cutMessage = (cut: GzipCut): string =>
  `the gzip stream stops ${CUT_INSIDE[cut.inside]}: was it still being written?`;

function gzipCutError(label: string, cut: GzipCut, remedy: string): GzipCutError {
  return new GzipCutError(label, `byte ${cut.at} of the compressed file`, `${cutMessage(cut)} (${remedy})`);
}

// Why a file could not be opened or read, in words (Node's own text repeats the path and the code).
const OPEN_ERRORS: Readonly<Record<string, string>> = {
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  EISDIR: 'is a directory, expected a file',
  ENXIO: 'a socket or a device with nothing behind it, expected a file',
  ELOOP: 'a loop of symbolic links, leading to no file',
  ENAMETOOLONG: 'its name is too long',
  EIO: 'an input/output error of the device',
};

function describeFsError(label: string, err: NodeJS.ErrnoException): InputError {
  const reason =
    err.code === 'ENOENT'
      ? label.includes('\ufffd')
        ? // Node reads its command line as UTF-8: a name's other bytes arrive as U+FFFD, naming no file.
          'no such file (a name whose bytes are not UTF-8 cannot be passed to Node; give its folder, or rename it)'
        : 'no such file'
      : (OPEN_ERRORS[err.code ?? ''] ?? err.message);
  return new InputError(label, '', `cannot read: ${reason}`);
}

// A regular file's size, or null (stdin, a pipe, gone).
function fileSize(path: string): number | null {
  try {
    const st = statSync(path);
    return st.isFile() ? st.size : null;
  } catch {
    return null;
  }
}

async function* guarded(
  label: string,
  stream: Readable,
  gzip: boolean,
  onProgress?: ProgressCallback,
): AsyncGenerator<Buffer> {
  let read = 0;
  try {
    for await (const chunk of stream) {
      read += (chunk as Buffer).length;
      onProgress?.(read, null);
      yield chunk as Buffer;
    }
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    if (gzip && err.code?.startsWith('Z_')) {
      // A checksum or length that does not match is the trailer's, a member's last 8 bytes (named
      // "after byte 0" for a file zlib took in one chunk).
      if (/incorrect (data|length) check/.test(err.message ?? '')) {
        const size = fileSize(label);
        const where = size === null ? 'the gzip trailer' : `the gzip trailer at byte ${Math.max(0, size - 8)}`;
        throw new InputError(
          label,
          where,
          `corrupt gzip data (${err.message}): the content's ${err.message.includes('length') ? 'length' : 'checksum'} is not what the trailer says`,
        );
      }
      // zlib counts what it took by the chunk: the damage is in the chunk after this byte.
      const at = (stream as Gunzip).bytesWritten;
      throw new InputError(label, `after byte ${at} of the compressed file`, `corrupt gzip data (${err.message})`);
    }
    throw describeFsError(label, err);
  }
}

// Yields `first` and then the rest of an iterator that has already produced it.
// A reader that stops early (an error in the content) ends `rest` too, which closes the file.
// `failed`: what the iterator threw while the head was gathered, thrown where it was met (after the head).
async function* replay(
  first: Buffer | undefined,
  rest: AsyncIterator<Buffer>,
  failed: { error: unknown } | null = null,
): AsyncGenerator<Buffer> {
  try {
    if (first) yield first;
    if (failed) throw failed.error;
    for (;;) {
      const r = await rest.next();
      if (r.done) return;
      yield r.value;
    }
  } finally {
    await rest.return?.();
  }
}

// The head detection sniffs: a pipe may deliver a few bytes first (a JSON capture piped by a
// program writing "{" alone was "not a format arenascope reads").
const HEAD_BYTES = 64 * 1024;

async function peek(chunks: AsyncIterable<Buffer>): Promise<{ head: Buffer; chunks: AsyncIterable<Buffer> }> {
  const it = chunks[Symbol.asyncIterator]();
  const parts: Buffer[] = [];
  let size = 0;
  let failed: { error: unknown } | null = null;
  while (size < HEAD_BYTES) {
    let r: IteratorResult<Buffer>;
    try {
      r = await it.next();
    } catch (error) {
      // Past the first bytes (a gzip stream cut short ends by throwing): its reader meets it there.
      if (!parts.length) throw error;
      failed = { error };
      break;
    }
    if (r.done) break;
    if (r.value.length === 0) continue;
    // A chunk may be valid only until the next is asked for: the first is the reader's own copy.
    parts.push(parts.length ? Buffer.from(r.value) : r.value);
    size += r.value.length;
  }
  const first = parts.length > 1 ? Buffer.concat(parts) : parts[0];
  return { head: first ?? Buffer.alloc(0), chunks: replay(first, it, failed) };
}

// Reads a regular file synchronously into one reused buffer: no stream machinery and no garbage
// per chunk, so memory stays flat whatever the file size. The first chunk is a copy (it is kept as
// the head); each later chunk is valid only until the next one is requested, which every importer
// respects (they copy what they keep).
function* fileChunks(fd: number, chunkSize: number, onProgress?: ProgressCallback): Generator<Buffer> {
  try {
    const buf = Buffer.allocUnsafe(chunkSize);
    const total = onProgress ? fstatSync(fd).size : null;
    let first = true;
    let read = 0;
    for (;;) {
      const n = readSync(fd, buf, 0, chunkSize, null);
      if (n === 0) return;
      read += n;
      onProgress?.(read, total);
      yield first ? Buffer.from(buf.subarray(0, n)) : buf.subarray(0, n);
      first = false;
    }
  } finally {
    closeSync(fd);
  }
}

async function* fromSync(label: string, chunks: Iterable<Buffer>): AsyncGenerator<Buffer> {
  try {
    yield* chunks;
  } catch (e) {
    throw describeFsError(label, e as NodeJS.ErrnoException);
  }
}

function openFile(path: string, chunkSize: number, onProgress?: ProgressCallback): AsyncIterable<Buffer> {
  let fd: number;
  try {
    fd = openSync(path, 'r');
    if (fstatSync(fd).isDirectory()) {
      closeSync(fd);
      throw Object.assign(new Error('directory'), { code: 'EISDIR' });
    }
  } catch (e) {
    throw describeFsError(path, e as NodeJS.ErrnoException);
  }
  return fromSync(path, fileChunks(fd, chunkSize, onProgress));
}

const isGzip = (head: Buffer): boolean => head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b;

/**
 * The first bytes (up to 64 KiB) of a file's content, gunzipped when it is gzip: enough to detect
 * its format without opening a stream. null when it cannot be gunzipped; an InputError naming the
 * file when it cannot be read (a capture the user cannot read is never taken for some other file).
 */
export function readHead(path: string): Buffer | null {
  let fd: number;
  let head: Buffer;
  try {
    fd = openSync(path, 'r');
  } catch (e) {
    throw describeFsError(path, e as NodeJS.ErrnoException);
  }
  try {
    const buf = Buffer.alloc(1 << 16);
    head = buf.subarray(0, readSync(fd, buf, 0, buf.length, 0));
  } catch (e) {
    throw describeFsError(path, e as NodeJS.ErrnoException);
  } finally {
    closeSync(fd);
  }
  try {
    // Sync flush, as in openInput: the head of a stream is a cut gzip member.
    return isGzip(head) ? zlib().gunzipSync(head, { finishFlush: zlib().constants.Z_SYNC_FLUSH }) : head;
  } catch {
    return null;
  }
}

/** Opens a file (or stdin for '-'), undoing gzip when the content starts with its magic bytes. */
export async function openInput(path: string, opts: OpenOptions = {}): Promise<InputStream> {
  const chunkSize = opts.chunkSize ?? CHUNK_SIZE;
  const raw =
    path === '-' ? guarded(path, process.stdin, false, opts.onProgress) : openFile(path, chunkSize, opts.onProgress);
  const first = await peek(raw);
  if (isGzip(first.head)) {
    const gz = gunzipped(path, first.chunks, chunkSize, path === '-' ? undefined : () => openFile(path, chunkSize));
    const inner = await peek(gz.chunks);
    return { label: path, gzip: true, head: inner.head, chunks: inner.chunks, gzipCut: gz.cut };
  }
  let size: number | undefined;
  try {
    size = path === '-' ? undefined : statSync(path).size;
  } catch {
    // The read says what is wrong.
  }
  return { label: path, gzip: false, head: first.head, chunks: first.chunks, ...(size ? { size } : {}) };
}

// The content of a gzip stream, and where it stops if it was cut. Sync flush at the end: a cut
// stream yields all it holds. Whether it was cut: a whole stream of one member ends with its length
// (mod 2^32) in its last 4 bytes, which is all a common file needs; any other has its framing
// followed (GzipFrames), on a second read of a file, or beside the decompression for stdin.
function gunzipped(label: string, compressed: AsyncIterable<Buffer>, chunkSize: number, reread?: () => Chunks) {
  const gunzip = zlib().createGunzip({ finishFlush: zlib().constants.Z_SYNC_FLUSH, chunkSize });
  const frames = reread ? null : new GzipFrames();
  let last = Buffer.alloc(0); // the last 8 compressed bytes
  let read = 0;
  const pumped = (async (): Promise<GzipCut | null> => {
    try {
      for await (const c of compressed) {
        if (gunzip.destroyed) break; // its reader stopped: stop reading the file (and close it)
        // Copy: file chunks share one buffer, and zlib may still hold a chunk when the next is read.
        const copy = Buffer.from(c);
        read += copy.length;
        last = Buffer.concat([last, copy.subarray(-8)]).subarray(-8);
        gunzip.write(copy);
        if (frames) await frames.feed(copy);
        // Asked after the feed: the gunzip may have drained meanwhile.
        if (gunzip.writableNeedDrain) {
          // Whichever comes first takes the other listener off: left on, a 'close' listener per wait
          // piled up (Node's MaxListenersExceededWarning on stderr past 700 MB of content).
          await new Promise<void>((r) => {
            const done = (): void => {
              gunzip.off('drain', done);
              gunzip.off('close', done);
              r();
            };
            gunzip.on('drain', done);
            gunzip.on('close', done);
          });
        }
      }
      gunzip.end();
      return frames ? await frames.end() : null;
    } catch (e) {
      gunzip.destroy(e as Error);
      return null;
    }
  })();
  let cut: GzipCut | null = null;
  async function* chunks(): AsyncGenerator<Buffer> {
    let length = 0;
    let done = false;
    try {
      for await (const c of guarded(label, gunzip, true)) {
        length += c.length;
        yield c;
      }
      done = true;
    } catch (e) {
      // zlib reads bytes after a whole member as the header of another: "incorrect header check"
      // (or "unknown compression method") with no place. The framing says where the gzip data ended.
      // Only a header's errors: damage inside a member's deflate data is no place the framing finds.
      if (
        !(
          e instanceof InputError &&
          /incorrect header check|unknown compression method|unknown header flags/.test(e.message)
        )
      )
        throw e;
      const stray = frames ? (await pumped, frames.stray) : (await framesOf(reread!(), Number.POSITIVE_INFINITY)).stray;
      if (stray === null) throw e;
      throw new InputError(
        label,
        `byte ${stray} of the compressed file`,
        'the gzip data ends there and bytes that are not gzip data follow (trailing garbage, or a damaged member: ' +
          '`gzip -dc` reads what comes before)',
      );
    } finally {
      if (!done) gunzip.destroy(); // its reader stopped early: the pump stops and closes the file
    }
    const framed = await pumped;
    const whole = last.length === 8 && last.readUInt32LE(4) === length % 2 ** 32;
    cut = frames ? framed : whole ? null : await (await framesOf(reread!(), read)).end();
    // Cut in a trailer or a header, what came before is whole: only the framing tells. A cut in the
    // compressed data leaves the content cut, which its reader reports (with --allow-partial where it
    // applies). A reader that does not catch this cannot read on past it: `gzip -dc` can.
    if (cut) throw gzipCutError(label, cut, 'gzip -dc recovers what it holds');
  }
  return { chunks: chunks(), cut: () => cut };
}

type Chunks = AsyncIterable<Buffer>;

/** The framing of the first `bytes` of a file read again (no further: a file being written grows). */
async function framesOf(compressed: Chunks, bytes: number): Promise<GzipFrames> {
  const frames = new GzipFrames();
  let left = bytes;
  for await (const c of compressed) {
    await frames.feed(Buffer.from(c.subarray(0, left)));
    left -= Math.min(left, c.length);
    if (left === 0) break;
  }
  return frames;
}

// Bytes of a gzip header gathered at most: its optional name and comment are short.
const MAX_HEADER = 1 << 16;

/**
 * Follows the framing of a gzip stream (RFC 1952: members of a header, deflate data and an 8-byte
 * trailer, zero bytes allowed after them as zlib allows) with an inflater of its own that finds
 * where each deflate stream ends, since zlib's gunzip does not say whether its input was whole.
 */
class GzipFrames {
  private phase: 'header' | 'deflate' | 'trailer' = 'header';
  private head = Buffer.alloc(0);
  private trailer = 0;
  private members = 0;
  private at = 0;
  private headAt = 0;
  private inflater: InflateRaw | null = null;
  /** Where bytes that are not gzip follow a whole member (trailing garbage), else null. */
  stray: number | null = null;
  /** Not gzip framing as expected: the gunzip reports what is wrong, this says nothing. */
  private lost = false;

  async feed(d: Buffer): Promise<void> {
    this.at += d.length;
    let p = 0;
    while (p < d.length && !this.lost) {
      if (this.phase === 'header') p = this.header(d, p);
      else if (this.phase === 'trailer') {
        const n = Math.min(8 - this.trailer, d.length - p);
        this.trailer += n;
        p += n;
        if (this.trailer === 8) [this.phase, this.trailer, this.members] = ['header', 0, this.members + 1];
      } else p += await this.inflate(d.subarray(p));
    }
  }

  /** Where the stream stops if it was cut; null when it ended after a whole member (or could not be followed). */
  async end(): Promise<GzipCut | null> {
    if (this.lost) return null;
    let inside: GzipCut['inside'] | null = this.phase;
    if (this.phase === 'deflate') {
      // Ending the inflater says whether its deflate stream ended exactly here.
      const z = this.inflater!;
      const whole = await new Promise<boolean>((resolve) => {
        z.once('error', () => resolve(false));
        z.once('end', () => resolve(true));
        z.end();
      });
      inside = whole ? 'trailer' : 'deflate';
    } else if (this.phase === 'header' && this.head.length === 0 && this.members > 0) inside = null;
    return inside && { at: this.at, inside };
  }

  private header(d: Buffer, p: number): number {
    if (this.head.length === 0 && d[p] === 0) return p + 1;
    if (this.head.length === 0) this.headAt = this.at - d.length + p;
    const taken = Math.min(d.length - p, 1024);
    this.head = Buffer.concat([this.head, d.subarray(p, p + taken)]);
    const n = headerLength(this.head);
    if (n === 0 && this.members > 0) this.stray = this.headAt;
    if (n === 0 || (n < 0 && this.head.length > MAX_HEADER)) this.lost = true;
    if (n <= 0) return p + taken;
    const next = p + taken - (this.head.length - n);
    this.head = Buffer.alloc(0);
    this.phase = 'deflate';
    this.inflater = zlib().createInflateRaw();
    this.inflater.on('error', () => {});
    this.inflater.resume(); // its output is not needed
    return next;
  }

  // Feeds deflate data; returns the bytes it took. zlib stops taking input where the deflate stream
  // ends (and ends the inflater's output), so fewer bytes than given means the trailer follows.
  private inflate(slice: Buffer): Promise<number> {
    const z = this.inflater!;
    const before = z.bytesWritten;
    return new Promise((resolve) => {
      // Damaged deflate data: zlib may end the stream without calling back the write.
      const failed = (): void => {
        this.lost = true;
        resolve(slice.length);
      };
      z.once('error', failed);
      z.write(slice, (err) => {
        z.off('error', failed);
        const used = z.bytesWritten - before;
        if (err) this.lost = true;
        else if (used < slice.length) {
          z.destroy();
          this.inflater = null;
          this.phase = 'trailer';
        }
        resolve(err ? slice.length : used);
      });
    });
  }
}

/** The length of the gzip member header at the start of `h`; -1 when more bytes are needed, 0 when it is not one. */
function headerLength(h: Buffer): number {
  const magic = [0x1f, 0x8b, 0x08];
  for (let i = 0; i < Math.min(3, h.length); i++) if (h[i] !== magic[i]) return 0;
  if (h.length < 10) return -1;
  const flags = h[3]!;
  let p = 10;
  if (flags & 4) p = h.length < 12 ? Infinity : 12 + h.readUInt16LE(10); // FEXTRA
  for (const bit of [8, 16]) {
    // FNAME, FCOMMENT: zero-terminated
    if (!(flags & bit) || p > h.length) continue;
    const z = h.indexOf(0, p);
    p = z < 0 ? Infinity : z + 1;
  }
  if (flags & 2) p += 2; // FHCRC
  return p > h.length ? -1 : p;
}
