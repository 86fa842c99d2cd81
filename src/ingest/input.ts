// Opening an input (a file or '-' for stdin) as a stream of chunks, with gzip undone transparently.
// The first chunk is peeked so formats can be sniffed from content, then replayed.

import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createGunzip, constants as zlib } from 'node:zlib';
import type { Readable } from 'node:stream';
import { InputError } from './errors.js';

export const CHUNK_SIZE = 1 << 20;

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

async function* guarded(label: string, stream: Readable, gzip: boolean): AsyncGenerator<Buffer> {
  try {
    for await (const chunk of stream) yield chunk as Buffer;
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

/** Opens a file (or stdin for '-'), undoing gzip when the content starts with its magic bytes. */
export async function openInput(path: string, chunkSize = CHUNK_SIZE): Promise<InputStream> {
  let raw: Readable;
  if (path === '-') {
    raw = process.stdin;
  } else {
    try {
      const st = await stat(path);
      if (st.isDirectory()) throw Object.assign(new Error('directory'), { code: 'EISDIR' });
    } catch (e) {
      throw describeFsError(path, e as NodeJS.ErrnoException);
    }
    raw = createReadStream(path, { highWaterMark: chunkSize });
  }
  const first = await peek(guarded(path, raw, false));
  if (first.head.length >= 2 && first.head[0] === 0x1f && first.head[1] === 0x8b) {
    // Sync flush at the end: a truncated gzip yields what it holds, and the reader of the content
    // then reports where that content stops.
    const gunzip = createGunzip({ finishFlush: zlib.Z_SYNC_FLUSH, chunkSize });
    (async () => {
      try {
        for await (const c of first.chunks) if (!gunzip.write(c)) await new Promise((r) => gunzip.once('drain', r));
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
