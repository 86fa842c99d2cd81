// Whether an input is a pickle a dump could be, from its first bytes: kept apart from the reader so
// that detection of any other format loads no part of it (issue 14).

/** A pickle starts with PROTO (0x80) and a protocol number; dumps use 2-5. */
export function sniffPickle(head: Buffer): boolean {
  return head.length >= 2 && head[0] === 0x80 && head[1]! >= 2 && head[1]! <= 5;
}

export const DUMP_DESCRIBE = 'tracemalloc Snapshot.dump() pickle, protocol 2-5 (gzip too)';

/**
 * Whether a file's first bytes name tracemalloc as a dump's do, after PROTO and FRAME (at byte 11, or
 * 2 for protocols 2 and 3; as SHORT_BINUNICODE or GLOBAL): a pickle of something else, or no
 * pickle, that opens so is a dump damaged (a byte changed before its first global read as a pickle of
 * a str, passed over in a folder, and a gate passed without it). Further in, it is a file that holds
 * the word: a pickled config, an archive of dumps, a log.
 */
export function damagedDump(head: Buffer): boolean {
  // After a protocol number (byte 1), or after FRAME (0x95 at byte 2): what a log can hold does not.
  const proto = head.length > 1 && head[1]! >= 2 && head[1]! <= 5;
  const frame = head.length > 2 && head[2] === 0x95;
  return SIGNATURES.some((s) => (proto && head.indexOf(s, 2) === 2) || (frame && head.indexOf(s, 11) === 11));
}

const SIGNATURES = [Buffer.from('\x8c\x0btracemalloc', 'latin1'), Buffer.from('ctracemalloc\n', 'latin1')];
