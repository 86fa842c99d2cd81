// The verdict facts of each command's JSON, normalized by name (issue 13): what the agreement test
// compares across `leaks`, `replay`, `report` and `gate`. Reads fields by name and ignores the rest,
// so outputs that gain fields (or rename a trend's rate) still compare.

type Json = Record<string, unknown>;

const obj = (v: unknown): Json => (v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Json) : {});
const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const num = (v: unknown): number | null => (typeof v === 'number' ? v : null);

/** `leaks --json` prints one result for one kind of capture, a list for several. */
export function leakResultsOf(leaksJson: unknown): Json[] {
  return (Array.isArray(leaksJson) ? leaksJson : [leaksJson]).map(obj);
}

export interface SiteFact {
  readonly verdict: string;
  readonly confidence: number;
  /** The growth the verdict rests on: what the site kept, for a leak by kept memory; else last less first. */
  readonly growthBytes: number;
}

/** A snapshot series' sites, `file:line` -> verdict, confidence, growth (a SnapshotLeaks object). */
export function siteFacts(snapshotLeaks: unknown): Map<string, SiteFact> {
  const out = new Map<string, SiteFact>();
  for (const s of arr(obj(snapshotLeaks).sites).map(obj)) {
    out.set(`${s.filename}:${s.lineno}`, {
      verdict: String(s.verdict),
      confidence: num(s.confidence)!,
      // The growth the verdict rests on, as every output shows it: kept, or from the capture judged from.
      growthBytes: s.kept
        ? num(obj(s.kept).growthBytes)!
        : num(s.judgedFrom)
          ? num(arr(s.bytesPerCapture).at(-1))! - num(arr(s.bytesPerCapture)[num(s.judgedFrom)!])!
          : num(s.growthBytes)!,
    });
  }
  return out;
}

export interface TrendFact {
  readonly verdict: string;
  readonly confidence: number;
  readonly rateMiBPerMin: number | null;
}

/** The trend's rate (of the floor): `slopeMiBPerMin`, `trendMiBPerMin`, else the first MiB-per-minute field. */
export function rateOf(t: Json): number | null {
  for (const k of ['slopeMiBPerMin', 'trendMiBPerMin']) if (typeof t[k] === 'number') return t[k] as number;
  const key = Object.keys(t).find((k) => /MiBPerMin$/.test(k) && typeof t[k] === 'number');
  return key ? (t[key] as number) : null;
}

/** mprof runs' processes, `<run label> <process>` -> verdict, confidence, rate (MemoryLeaks objects). */
export function trendFacts(memoryLeaks: readonly unknown[]): Map<string, TrendFact> {
  const out = new Map<string, TrendFact>();
  for (const m of memoryLeaks.map(obj)) {
    for (const t of arr(m.series).map(obj)) {
      out.set(`${m.label} ${t.name}`, {
        verdict: String(t.verdict),
        confidence: num(t.confidence)!,
        rateMiBPerMin: rateOf(t),
      });
    }
  }
  return out;
}

/** A line report's findings: its largest increments, the functions that kept memory, those not judged. */
export function lineReportFacts(r: unknown): { increments: string[]; retaining: string[]; unjudged: string[] } {
  const o = obj(r);
  return {
    increments: arr(o.topIncrements)
      .map(obj)
      .map((l) => `${l.filename}:${l.lineno} ${l.incrementMiB} MiB`),
    retaining: arr(o.retainingFunctions)
      .map(obj)
      .map((f) => `${f.filename}:${f.lineno} ${f.entryMiB} -> ${f.exitMiB} MiB`),
    unjudged: arr(o.unjudgedFunctions)
      .map(obj)
      .map((f) => `${f.filename}:${f.lineno} ${f.calls} calls: ${f.reason}`),
  };
}

export interface ModelFact {
  readonly arenas: number;
  readonly utilization: number;
  readonly pinnedArenas: number;
}

export interface FragmentationFacts {
  readonly verdict: string;
  readonly reason: string;
  readonly next: string | null;
  readonly captures: readonly {
    label: string;
    compact: ModelFact;
    scattered: ModelFact;
    real: { arenas: number; utilization: number } | null;
  }[];
  /** The last capture's figures: releasable bytes, empty pools, pinning sites, and their basis. */
  readonly evidence: Json;
}

const model = (f: Json): ModelFact => ({
  arenas: num(f.arenas)!,
  utilization: num(f.utilization)!,
  pinnedArenas: num(f.pinnedArenas)!,
});

function captures(captureList: unknown): FragmentationFacts['captures'] {
  return arr(captureList)
    .map(obj)
    .map((c) => {
      const real = c.real === null || c.real === undefined ? null : obj(c.real);
      return {
        label: String(c.label),
        compact: model(obj(c.compact)),
        scattered: model(obj(c.scattered)),
        real: real && { arenas: num(real.arenas)!, utilization: num(real.utilization)! },
      };
    });
}

/** The evidence's figures (every number, string or null it has) and its pinning sites. */
function evidence(e: Json): Json {
  const out: Json = {};
  for (const [k, v] of Object.entries(e)) if (v === null || typeof v !== 'object') out[k] = v;
  out.pinningSites = arr(e.pinningSites)
    .map(obj)
    .map((p) => `${p.filename}:${p.lineno} ${p.blocks} blocks in ${p.arenas} arenas`);
  return out;
}

function verdictOf(f: Json): Pick<FragmentationFacts, 'verdict' | 'reason' | 'next'> {
  return { verdict: String(f.verdict), reason: String(f.reason), next: typeof f.next === 'string' ? f.next : null };
}

/**
 * `replay --json`: the verdict, per-capture figures, and the last capture's fragmentation evidence
 * (its `fragmentation` object; before that existed, the scattered order's figures, which the text
 * printed as "Last capture, scattered order").
 */
export function replayFacts(replayJson: unknown): FragmentationFacts {
  const r = obj(replayJson);
  const list = arr(r.captures).map(obj);
  const last = obj(obj(list[list.length - 1]).scattered);
  const legacy = { releasableBytes: last.releasableBytes, emptyPoolBytes: last.emptyPoolBytes };
  return {
    ...verdictOf(obj(r.fragmented)),
    captures: captures(list),
    evidence: evidence(r.fragmentation ? obj(r.fragmentation) : { ...legacy, pinningSites: last.pinningSites }),
  };
}

/** `report --json`'s replay section, in the same terms. */
export function reportReplayFacts(section: unknown): FragmentationFacts {
  const s = obj(section);
  const legacy = { releasableBytes: s.releasableBytes, emptyPoolBytes: s.emptyPoolBytes };
  return {
    ...verdictOf(obj(s.fragmented)),
    captures: captures(s.captures),
    evidence: evidence(s.fragmentation ? obj(s.fragmentation) : { ...legacy, pinningSites: s.pinningSites }),
  };
}

export interface GateCheck {
  readonly check: string;
  readonly passed: boolean;
  readonly measured: number | null;
  /** Fragmentation's: the spare arenas behind `measured`. */
  readonly spareArenas: number | null;
  readonly limit: number;
  readonly message: string;
}

export function gateCheck(gateJson: unknown, name: string): GateCheck | undefined {
  const c = arr(obj(gateJson).checks)
    .map(obj)
    .find((x) => x.check === name);
  return (
    c && {
      check: name,
      passed: c.passed === true,
      measured: num(c.measured),
      spareArenas: num(c.spareArenas),
      limit: num(c.limit)!,
      message: String(c.message),
    }
  );
}

/**
 * What a gate message says about one leak it names: the figure printed next to `where` (KiB of
 * growth for a site, MiB/min for a process) and the confidence; null when it does not name it.
 */
export function gateMention(
  message: string,
  where: string,
): { figure: number; confidence: number; precision: number } | null {
  const at = message.indexOf(`${where} (`);
  if (at < 0) return null;
  const from = at + where.length;
  const part = message.slice(from, message.indexOf(')', from) + 1);
  // Sizes in the unit the gate chose (KiB, MiB, GiB), given back in KiB; rates in MiB/min as printed.
  const figure = /([+-]?\d[\d.]*) (KiB|MiB\/min|MiB|GiB)/.exec(part);
  const confidence = /confidence ([\d.]+)/.exec(part);
  if (!figure || !confidence) return null;
  const kib = figure[2] === 'MiB' ? 1024 : figure[2] === 'GiB' ? 1024 ** 2 : 1;
  return { figure: Number(figure[1]) * kib, confidence: Number(confidence[1]), precision: 0.051 * kib };
}
