// Whether an input is a pickle a dump could be, from its first bytes: kept apart from the reader so
// that detection of any other format loads no part of it (issue 14).

/** A pickle starts with PROTO (0x80) and a protocol number; dumps use 2-5. */
export function sniffPickle(head: Buffer): boolean {
  return head.length >= 2 && head[0] === 0x80 && head[1]! >= 2 && head[1]! <= 5;
}

export const DUMP_DESCRIBE = 'tracemalloc Snapshot.dump() pickle, protocol 2-5 (gzip too)';

/**
 * Whether bytes hold a pickle's naming of tracemalloc (as SHORT_BINUNICODE, BINUNICODE or GLOBAL):
 * a pickle of something else that holds them is a dump damaged (a byte changed before its first
 * global read as a pickle of a str, passed over in a folder, and a gate passed without it).
 */
export function damagedDump(head: Buffer): boolean {
  return SIGNATURES.some((s) => head.includes(s));
}

const SIGNATURES = [
  Buffer.from('\x8c\x0btracemalloc', 'latin1'),
  Buffer.from('X\x0b\x00\x00\x00tracemalloc', 'latin1'),
  Buffer.from('ctracemalloc\n', 'latin1'),
];
