// The growth a site's verdict rests on, apart from leaks.ts so that every output can name it
// without loading the classifier.

/** What a site kept under its ups and downs, as far as its growth goes. */
interface Kept {
  readonly growthBytes: number;
}

/**
 * The growth a site's verdict rests on: what it kept, for a leak by kept memory; from the capture it
 * was judged from, after a spike at the start; else last less first.
 */
export const verdictGrowth = (s: {
  readonly growthBytes: number;
  readonly kept?: Kept | null;
  readonly judgedFrom?: number;
  readonly bytesPerCapture?: readonly number[];
}): number => {
  if (s.kept) return s.kept.growthBytes;
  const b = s.bytesPerCapture;
  return s.judgedFrom && b?.length ? b[b.length - 1]! - b[s.judgedFrom]! : s.growthBytes;
};
