// Progress on stderr: while a large input is read (only once the reading has taken a second, at
// most four updates a second), and during the long phases that run without a pause (the replay,
// the page); only on a terminal, erased when done.

import type { ProgressCallback } from '../ingest/open-input.js';
import { formatSize } from '../report/format-size.js';

/** Where progress lines go; present only when stderr is a terminal. */
export type ProgressLine = (text: string | null) => void;

export function readingProgress(
  line: ProgressLine | undefined,
  label: string,
): { onProgress?: ProgressCallback; done(): void } {
  if (!line) return { done() {} };
  const start = Date.now();
  let last = 0;
  let shown = false;
  return {
    onProgress(read, total) {
      const now = Date.now();
      if (now - start < 1000 || now - last < 250) return;
      last = now;
      shown = true;
      const pct = total ? ` ${Math.floor((100 * read) / total)}% of ${formatSize(total)}` : ` ${formatSize(read)}`;
      line(`reading ${label}:${pct}`);
    },
    done() {
      if (shown) line(null);
    },
  };
}

/**
 * A phase that runs in one go (the replay, rendering the page): nothing can be written while it
 * runs, so its line is shown before it starts, when it may take a second or more (`long`), and
 * erased when it ends.
 */
export async function duringPhase<T>(
  line: ProgressLine | undefined,
  text: string,
  long: boolean,
  work: () => T | Promise<T>,
): Promise<T> {
  if (!line || !long) return work();
  line(`${text}…`);
  // One turn of the event loop, so the line reaches the terminal before the work holds the thread.
  await new Promise((resolve) => setImmediate(resolve));
  try {
    return await work();
  } finally {
    line(null);
  }
}
