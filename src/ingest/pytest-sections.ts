// pytest's report of a test (a failure, or a pass with -rP) prints what the test wrote, one section a
// stream: 'Captured stdout call', 'Captured log call', … A test that prints its listings and logs them
// too has each of them twice; tracemalloc-text.ts reads the copies once (they were read as a series of
// twice the captures, and a leak passed as a plateau).

import type { LoggedListing, LoggedStatistic } from '../model/statistics-log.js';

// '----- Captured stdout call -----', as pytest centres it in a rule of '-'.
const SECTION = /^\s*-{3,} (Captured (?:stdout|stderr|log) (?:setup|call|teardown)) -{3,}\s*$/;
// A test's own header ('_____ test_name _____'), or a part of the session ('===== FAILURES ====='):
// sections before it are another test's.
const APART = /^\s*(?:_{3,}|={3,}) .+ (?:_{3,}|={3,})\s*$/;
// pytest's header: what follows is a pytest session's, -s output and pytest's own words on shared lines
// (pytest-progress.ts).
const SESSION = /^\s*={3,} test session starts ={3,}\s*$/;

interface Section {
  readonly line: number;
  readonly name: string;
  /** Which test's report it is in: sections of one test have the same. */
  readonly test: number;
}

const statKey = (s: LoggedStatistic): string =>
  [s.frames.map((f) => `${f.filename}:${f.lineno}`).join(' '), s.size, s.count, s.sizeDiff, s.countDiff].join('\0');
export const listingsKey = (ls: readonly LoggedListing[]): string =>
  ls.map((l) => l.stats.map(statKey).join('\n')).join('\n\n');

/** The sections of a pytest report met in a text, and the listings each holds once read. */
export class CapturedSections {
  private readonly sections: Section[] = [];
  private test = 0;
  /** A pytest session's header was met. */
  session = false;

  /** Takes a line of the text (as printed: without a CI log's prefix). */
  see(no: number, text: string): void {
    if (SESSION.test(text)) this.session = true;
    const m = SECTION.exec(text);
    if (m) this.sections.push({ line: no, name: m[1]!, test: this.test });
    else if (APART.test(text)) this.test++;
  }

  /**
   * The listings without those of a section that holds the same listings as an earlier section of the
   * same test's report (the test printed and logged them), or as listings printed live before the report
   * (`--capture=tee-sys -rA`: read twice, a leak read as transient; h278), and what was left out.
   */
  readOnce(label: string, listings: readonly LoggedListing[]): { listings: LoggedListing[]; warnings: string[] } {
    if (!this.sections.length) return { listings: [...listings], warnings: [] };
    // The section each listing is in (the last one begun before it), or -1.
    const of = listings.map((l) => {
      let i = this.sections.length - 1;
      while (i >= 0 && this.sections[i]!.line > l.inputLine) i--;
      return i;
    });
    const held = (i: number): LoggedListing[] => listings.filter((_, k) => of[k] === i);
    // The listings printed live, before any section (pytest -s, or --capture=tee-sys).
    const live = new Set(held(-1).map((l) => listingsKey([l])));
    const dropped = new Set<number>();
    const said: string[] = [];
    for (const [i, s] of this.sections.entries()) {
      const mine = held(i);
      if (!mine.length) continue;
      if (mine.every((l) => live.has(listingsKey([l])))) {
        dropped.add(i);
        said.push(`'${s.name}' (line ${s.line}) holds listings printed before it, as the tests ran`);
        continue;
      }
      const key = listingsKey(mine);
      const earlier = this.sections.findIndex(
        (e, j) => j < i && e.test === s.test && !dropped.has(j) && listingsKey(held(j)) === key,
      );
      if (earlier < 0) continue;
      dropped.add(i);
      const e = this.sections[earlier]!;
      said.push(`'${s.name}' (line ${s.line}) holds the listings of '${e.name}' (line ${e.line}) again`);
    }
    if (!dropped.size) return { listings: [...listings], warnings: [] };
    return {
      listings: listings.filter((_, k) => !dropped.has(of[k]!)),
      warnings: [
        `${label}: pytest's report prints each stream a test wrote apart: ${said[0]}` +
          `${said.length > 1 ? ` (and ${said.length - 1} more such section(s))` : ''}: each read once`,
      ],
    };
  }
}
