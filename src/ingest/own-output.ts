// arenascope's own reports are no captures, though they print what captures hold: a page's replay
// section shows the model's size-class table as sys._debugmallocstats() prints its own (a page saved
// beside the dumps was read as the real allocator's report, and the gate judged the model by itself),
// and the text report lists its top sites as tracemalloc prints statistics. Told by their heads.

import { headLines } from './lines.js';

// A page: its doctype or <html> tag, after what may come before it (a browser's `<!-- saved from url=…
// -->`, an XML declaration, other comments).
const HTML = /^(?:\ufeff)?(?:\s|<!--[\s\S]*?-->|<\?xml[^>]*>)*<(?:!doctype\s+html|html)[\s>]/i;
// The text report's summary line (report/text/report.ts), under its title.
const TEXT_REPORT = /^peak \([^)]*\): .*; growth: .*; leak suspects: .*; fragmented: /;

/** What a head is when it is an HTML page or arenascope's text report; else null. */
export function ownOutput(head: Buffer): string | null {
  const start = head.subarray(0, 2048).toString('utf8');
  if (HTML.test(start)) return 'an HTML page (an arenascope report?), not a capture';
  // Under its title, which may run over several lines.
  if (headLines(head, 40).some((l) => TEXT_REPORT.test(l))) return "arenascope's text report, not a capture";
  return null;
}
