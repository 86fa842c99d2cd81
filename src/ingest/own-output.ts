// arenascope's own reports are no captures, though they print what captures hold: a page's replay
// section shows the model's size-class table as sys._debugmallocstats() prints its own (a page saved
// beside the dumps was read as the real allocator's report, and the gate judged the model by itself),
// and the text report lists its top sites as tracemalloc prints statistics; a report's JSON (a gate's
// baseline) holds figures and no capture. Told by their heads.

import { headLines } from './lines.js';

// A page: its doctype or <html> tag, after what may come before it (a browser's `<!-- saved from url=…
// -->`, an XML declaration, other comments).
const HTML = /^(?:\ufeff)?(?:\s|<!--[\s\S]*?-->|<\?xml[^>]*>)*<(?:!doctype\s+html|html)[\s>]/i;
// The text report's summary line (report/text/report.ts), under its title.
const TEXT_REPORT = /^(?:traced )?peak(?: \([^)]*\))?: .*; growth: .*; leak suspects: .*; fragmented: /;
// A report's JSON (`arenascope baseline`, `report --json-out`): an object whose "format" says so, the
// key wherever it comes in the head (`jq -S` sorts it after "allocatorStats").
const REPORT_JSON = /^\ufeff?\s*\{[\s\S]*"format"\s*:\s*"arenascope-report"/;

/** What an output of arenascope is, and what to give instead. */
export interface OwnOutput {
  readonly what: string;
  readonly next: string;
}

const FROM_CAPTURES = 'give the captures it was made from';

/** What a head is when it is an HTML page, arenascope's text report or a report's JSON; else null. */
export function ownOutput(head: Buffer): OwnOutput | null {
  const start = head.subarray(0, 2048).toString('utf8');
  if (HTML.test(start)) return { what: 'an HTML page (an arenascope report?), not a capture', next: FROM_CAPTURES };
  // Under its title, which may run over several lines.
  if (headLines(head, 40).some((l) => TEXT_REPORT.test(l)))
    return { what: "arenascope's text report, not a capture", next: FROM_CAPTURES };
  // Given as a capture, or as a baseline from stdin or a pipe (`--baseline <(git show main:base.json)`),
  // which is read as captures: it was "not a format arenascope reads".
  if (REPORT_JSON.test(head.toString('utf8'))) {
    return {
      what: "a report's JSON (a baseline), not a capture",
      next: 'give it as `gate --baseline FILE` (a file: not stdin or a pipe), or the captures it was made from',
    };
  }
  return null;
}
