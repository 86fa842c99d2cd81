// What keeps terminal output readable: file paths cut to the shortest suffix that still tells them
// apart, long lists capped with a count of the rest, and tables fitted to the terminal's width.

/** How a renderer writes file paths and how many entries of a list it shows. */
export interface TextLayout {
  /** A path as the terminal shows it (the shortest unique suffix, or the path itself). */
  readonly path: (p: string) => string;
  /** Entries a list shows before "… N more" (Infinity: all). */
  readonly limit: number;
  /** The terminal's width, when known. */
  readonly columns?: number;
}

/** Lists show this many entries unless -n/--limit says otherwise. */
export const DEFAULT_LIST_LIMIT = 10;

export const FULL_LAYOUT: TextLayout = { path: (p) => p, limit: Number.POSITIVE_INFINITY };

const parts = (p: string): string[] => p.split(/[/\\]/);

/**
 * The shortest trailing run of path components that no other path of the set ends with, so
 * `/srv/app/models/user.py` beside `/srv/app/views/user.py` reads `models/user.py`, and a file
 * whose name is unique reads as its name alone. A path no suffix sets apart is kept whole.
 */
export function shortestUniqueSuffixes(paths: Iterable<string>): (p: string) => string {
  const all = [...new Set(paths)];
  const tails = (own: string[]): string[] => own.map((_, k) => own.slice(own.length - 1 - k).join('/'));
  // How many paths end with each suffix: one pass, so thousands of files cost no pairwise compare.
  const count = new Map<string, number>();
  for (const p of all) for (const t of tails(parts(p))) count.set(t, (count.get(t) ?? 0) + 1);
  const short = new Map<string, string>();
  for (const p of all) {
    const own = tails(parts(p));
    const n = own.findIndex((t) => count.get(t) === 1);
    short.set(p, n < 0 || n === own.length - 1 ? p : own[n]!);
  }
  return (p) => short.get(p) ?? p;
}

/** A layout for terminal text: short paths over `paths` unless `fullPaths`; lists capped at `limit`. */
export function textLayout(
  paths: Iterable<string>,
  opts: { fullPaths?: boolean; limit?: number; columns?: number },
): TextLayout {
  return {
    path: opts.fullPaths ? (p) => p : shortestUniqueSuffixes(paths),
    limit: opts.limit ?? DEFAULT_LIST_LIMIT,
    columns: opts.columns,
  };
}

/** The first `limit` entries, and the line that says how many were left out (null when none). */
export function capped<T>(items: readonly T[], limit: number, indent = ''): { shown: readonly T[]; more: string[] } {
  if (items.length <= limit) return { shown: items, more: [] };
  const rest = items.length - limit;
  return { shown: items.slice(0, limit), more: [`${indent}… ${rest} more (use --limit ${items.length})`] };
}

/** A string cut from the left to `width` characters, with '…' where it was cut. */
export const cutLeft = (s: string, width: number): string =>
  s.length <= width ? s : `…${s.slice(s.length - Math.max(1, width) + 1)}`;

/**
 * Rows as aligned columns (the first left-aligned, the others right-aligned), two spaces apart.
 * When the table would be wider than `columns`, the first column (names, labels) is cut from the
 * left to fit, never the figures.
 */
export function alignTable(rows: readonly (readonly string[])[], columns?: number): string[] {
  if (!rows.length) return [];
  let widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  const total = widths.reduce((a, b) => a + b, 0) + 2 * (widths.length - 1);
  if (columns !== undefined && total > columns) {
    // Names cut from the left that share their ending would all read '….pickle': it goes first.
    rows = withoutSharedEnding(rows);
    widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
    const now = widths.reduce((a, b) => a + b, 0) + 2 * (widths.length - 1);
    if (now > columns) widths[0] = Math.max(8, widths[0]! - (now - columns));
  }
  return rows.map((r) =>
    r
      .map((v, i) => (i === 0 ? cutLeft(v, widths[0]!).padEnd(widths[0]!) : v.padStart(widths[i]!)))
      .join('  ')
      .trimEnd(),
  );
}

// The rows with the ending every name of the first column (the header left out) shares removed,
// as long as the names stay apart and none is left empty.
function withoutSharedEnding(rows: readonly (readonly string[])[]): (readonly string[])[] {
  const names = rows.slice(1).map((r) => r[0]!);
  if (names.length < 2) return [...rows];
  let end = 0;
  const shortest = Math.min(...names.map((n) => n.length));
  while (end < shortest - 1 && names.every((n) => n[n.length - 1 - end] === names[0]![names[0]!.length - 1 - end]))
    end++;
  const cut = names.map((n) => n.slice(0, n.length - end));
  if (!end || new Set(cut).size < new Set(names).size) return [...rows];
  return [rows[0]!, ...rows.slice(1).map((r, i) => [cut[i]!, ...r.slice(1)])];
}

/**
 * Lines longer than `columns` broken at spaces, each continuation indented two more than its line;
 * a word longer than the width stays whole. Without `columns` (not a terminal), lines are kept.
 */
export function wrapLines(lines: readonly string[], columns?: number): string[] {
  if (columns === undefined || columns < 20) return [...lines];
  return lines.flatMap((line) => {
    if (line.length <= columns) return [line];
    const indent = /^ */.exec(line)![0];
    const words = line.slice(indent.length).split(' ');
    const out: string[] = [];
    let current = indent;
    const more = `${indent}  `;
    for (const w of words) {
      const start = out.length ? more : indent;
      if (current !== start && current.length + 1 + w.length > columns) {
        out.push(current);
        current = more + w;
      } else current = current === start ? current + w : `${current} ${w}`;
    }
    out.push(current);
    return out;
  });
}
