// Progress on stderr while a large input is read: only on a terminal, only once the work has
// taken a second, at most four updates a second, and erased when done.

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
