// Text inputs, line by line, streaming: UTF-8 decoded across chunk boundaries (invalid bytes
// become U+FFFD rather than failing: these are logs), '\n' or '\r\n' line ends.

export interface TextLines {
  /** Lines without their line end, numbered from 1 by the caller's count. */
  readonly lines: AsyncIterable<string>;
  /** After iteration: true when the input's last line had no line end (a cut-off write). */
  readonly endedMidLine: () => boolean;
  /** Bytes decoded so far. */
  readonly bytes: () => number;
}

export function textLines(chunks: AsyncIterable<Buffer>): TextLines {
  let midLine = false;
  let bytes = 0;
  async function* gen(): AsyncGenerator<string> {
    const decoder = new TextDecoder('utf-8');
    let rest = '';
    for await (const chunk of chunks) {
      bytes += chunk.length;
      const text = rest + decoder.decode(chunk, { stream: true });
      const parts = text.split('\n');
      rest = parts.pop()!;
      for (const p of parts) yield p.endsWith('\r') ? p.slice(0, -1) : p;
    }
    rest += decoder.decode();
    if (rest !== '') {
      midLine = true;
      yield rest.endsWith('\r') ? rest.slice(0, -1) : rest;
    }
  }
  return { lines: gen(), endedMidLine: () => midLine, bytes: () => bytes };
}

/** The first lines of a sniffing head (the last, possibly cut, line dropped unless it is all). */
export function headLines(head: Buffer, max = 200): string[] {
  const text = head.subarray(0, 1 << 16).toString('utf8');
  const lines = text.split('\n').map((l) => (l.endsWith('\r') ? l.slice(0, -1) : l));
  if (lines.length > 1 && head.length > 1 << 16) lines.pop();
  return lines.slice(0, max);
}

/**
 * Consumes complete lines of one common shape from `start`, straight from the bytes; returns where
 * it stopped (at a line start) and how many lines it took. It stops at the first line it does not
 * take, which then goes to the general path.
 */
export type FastLines = (buf: Uint8Array, start: number, end: number) => { next: number; lines: number };

/**
 * Calls `line(buf, start, end)` for each line of the input (without its '\n' or '\r\n'), on the
 * bytes themselves: no string per line. `fast`, when given, is offered every line first. A line cut
 * by a chunk boundary is joined in a small buffer. Returns the number of lines and bytes and whether
 * the last line had no line end.
 */
export async function forEachByteLine(
  chunks: AsyncIterable<Buffer>,
  line: (buf: Buffer, start: number, end: number) => void,
  fast?: FastLines,
): Promise<{ lines: number; bytes: number; endedMidLine: boolean }> {
  let rest: Buffer | null = null;
  let bytes = 0;
  let lines = 0;
  const emit = (buf: Buffer, s: number, e: number): void => {
    lines++;
    line(buf, s, e > s && buf[e - 1] === 0x0d ? e - 1 : e);
  };
  for await (const chunk of chunks) {
    bytes += chunk.length;
    let i = 0;
    if (rest) {
      const nl = chunk.indexOf(0x0a);
      if (nl < 0) {
        rest = Buffer.concat([rest, chunk]);
        continue;
      }
      const joined = Buffer.concat([rest, chunk.subarray(0, nl)]);
      emit(joined, 0, joined.length);
      rest = null;
      i = nl + 1;
    }
    for (;;) {
      if (fast) {
        const r = fast(chunk, i, chunk.length);
        lines += r.lines;
        i = r.next;
      }
      const nl = chunk.indexOf(0x0a, i);
      if (nl < 0) break;
      emit(chunk, i, nl);
      i = nl + 1;
    }
    // Copy: callers reuse their chunk buffers.
    if (i < chunk.length) rest = Buffer.from(chunk.subarray(i));
  }
  if (rest) emit(rest, 0, rest.length);
  return { lines, bytes, endedMidLine: rest !== null };
}
