// Opening an input (a file or '-' for stdin) as a stream of chunks, with gzip undone transparently.
// The first chunk is peeked so formats can be sniffed from content, then replayed.

import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import type { Readable } from 'node:stream';
import { createGunzip, gunzipSync, constants as zlib } from 'node:zlib';
import { InputError } from '../util/errors.js';

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
  /** The whole (decompressed) content, head included, in chunks. */
  readonly chunks: AsyncIterable<Buffer>;
}

function describeFsError(label: string, err: NodeJS.ErrnoException): InputError {
  const reason =
    err.code === 'ENOENT'
      ? 'no such file'
      : err.code === 'EACCES'
        ? 'permission denied'
        : err.code === 'EISDIR'
          ? 'is a directory, expected a file'
          : err.message;
  return new InputError(label, '', `cannot read: ${reason}`);
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
    if (gzip && err.code?.startsWith('Z_')) throw new InputError(label, '', `corrupt gzip data: ${err.message}`);
    throw describeFsError(label, err);
  }
}

// Yields `first` and then the rest of an iterator that has already produced it.
async function* replay(first: Buffer | undefined, rest: AsyncIterator<Buffer>): AsyncGenerator<Buffer> {
  if (first) yield first;
  for (;;) {
    const r = await rest.next();
    if (r.done) return;
    yield r.value;
  }
}

async function peek(chunks: AsyncIterable<Buffer>): Promise<{ head: Buffer; chunks: AsyncIterable<Buffer> }> {
  const it = chunks[Symbol.asyncIterator]();
  let first: Buffer | undefined;
  for (;;) {
    const r = await it.next();
    if (r.done) break;
    if (r.value.length > 0) {
      first = r.value;
      break;
    }
  }
  return { head: first ?? Buffer.alloc(0), chunks: replay(first, it) };
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
 * its format without opening a stream. null when it cannot be read or gunzipped.
 */
export function readHead(path: string): Buffer | null {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch {
    return null;
  }
  try {
    const buf = Buffer.alloc(1 << 16);
    const head = buf.subarray(0, readSync(fd, buf, 0, buf.length, 0));
    // Sync flush, as in openInput: the head of a stream is a cut gzip member.
    return isGzip(head) ? gunzipSync(head, { finishFlush: zlib.Z_SYNC_FLUSH }) : head;
  } catch {
    return null;
  } finally {
    closeSync(fd);
  }
}

/** Opens a file (or stdin for '-'), undoing gzip when the content starts with its magic bytes. */
export async function openInput(path: string, opts: OpenOptions = {}): Promise<InputStream> {
  const chunkSize = opts.chunkSize ?? CHUNK_SIZE;
  const raw =
    path === '-' ? guarded(path, process.stdin, false, opts.onProgress) : openFile(path, chunkSize, opts.onProgress);
  const first = await peek(raw);
  if (isGzip(first.head)) {
    // Sync flush at the end: a truncated gzip yields what it holds, and the reader of the content
    // then reports where that content stops.
    const gunzip = createGunzip({ finishFlush: zlib.Z_SYNC_FLUSH, chunkSize });
    (async () => {
      try {
        // Copy: file chunks share one buffer, and zlib may still hold a chunk when the next is read.
        for await (const c of first.chunks)
          if (!gunzip.write(Buffer.from(c))) await new Promise((r) => gunzip.once('drain', r));
        gunzip.end();
      } catch (e) {
        gunzip.destroy(e as Error);
      }
    })();
    const inner = await peek(guarded(path, gunzip, true));
    return { label: path, gzip: true, head: inner.head, chunks: inner.chunks };
  }
  return { label: path, gzip: false, head: first.head, chunks: first.chunks };
}
