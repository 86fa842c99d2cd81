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
