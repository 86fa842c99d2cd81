// Whether an input is a pickle a dump could be, from its first bytes: kept apart from the reader so
// that detection of any other format loads no part of it (issue 14).

/** A pickle starts with PROTO (0x80) and a protocol number; dumps use 2-5. */
export function sniffPickle(head: Buffer): boolean {
  return head.length >= 2 && head[0] === 0x80 && head[1]! >= 2 && head[1]! <= 5;
}

export const DUMP_DESCRIBE = 'tracemalloc Snapshot.dump() pickle, protocol 2-5 (gzip too)';
