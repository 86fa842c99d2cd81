// A Python warning printed among a report's lines: warnings.showwarning writes `file:line: Category:
// message` and, when it can read it, the source line indented by two spaces, to stderr, which a log of
// `python -u … 2>&1` interleaves with stdout. line-report.ts and tracemalloc-text.ts read past it.

/** The first line of a warning as the warnings module prints it. */
export const PY_WARNING = /^\S.*:\d+: (?:[A-Za-z_][\w.]*\.)?[A-Z]\w*(?:Warning|Error): /;
// Its second line: the source line, stripped, after two spaces.
const SOURCE = /^ {2}\S/;

/**
 * A warning met inside a listing, held until the line after it tells: a statistic that goes on with
 * the listing (the warning is read past, with a warning) or anything else (the listing ended there).
 */
export class WarningInListing {
  private held: { no: number; source: boolean } | null = null;
  /** The lines of the warnings read past. */
  readonly skipped: number[] = [];

  /** Whether `line` (numbered `no`) starts a warning inside a listing or is its source line: held. */
  hold(no: number, line: string, inListing: boolean): boolean {
    if (this.held && !this.held.source && SOURCE.test(line)) {
      this.held.source = true;
      return true;
    }
    if (!inListing || this.held || !PY_WARNING.test(line)) return false;
    this.held = { no, source: false };
    return true;
  }

  /** Whether a warning is held. */
  get holding(): boolean {
    return this.held !== null;
  }

  /** The line after the warning came: `goesOn` when it went on with the listing (the warning is skipped). */
  settle(goesOn: boolean): void {
    if (this.held && goesOn) this.skipped.push(this.held.no);
    this.held = null;
  }
}
