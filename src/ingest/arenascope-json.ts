// Importer for arenascope's own JSON form of a snapshot or a series (schema/arenascope-snapshot
// .schema.json), read token by token with stream-json so that a huge traces array never sits in
// memory whole: each item of frames, tracebacks, totalNframe and traces is checked against the
// schema's definition of it and used as soon as it is read; a snapshot's small fields when it ends.

import type { Token } from 'stream-json/core/parser.js';
import { FrameTable } from '../model/frames.js';
import { GroupBuilder, type ListingShown, notWrittenBy, python3Minor, type Snapshot } from '../model/snapshot.js';
import type { SnapshotSeries } from '../model/snapshot-series.js';
import { SNAPSHOT_JSON } from '../model/source.js';
import { InputError, TruncatedError } from '../util/errors.js';
import type { Importer, ReadOptions } from './importer.js';
import { syntaxError } from './json-file.js';
import { jsonExcerpt, schemaProblem, type ValidatorName, type Validators, validators } from './json-schema.js';
import { gzipEnd, type InputStream, markCutShort, untilGzipCut } from './open-input.js';

const FORMAT = 'arenascope-json';
const { snapshot: SNAPSHOT_FORMAT, series: SERIES_FORMAT, version: JSON_VERSION } = SNAPSHOT_JSON;

// Safety limits: arenascope's JSON nests 6 levels deep, and its largest item, a traceback, holds at
// most 65,535 frame indices (tracemalloc's traceback limit).
const MAX_DEPTH = 64;
const MAX_ITEM_VALUES = 1 << 17;
// A syntax error's byte is found exactly in the first characters of a file (a file edited by hand).
const HEAD_TEXT = 1 << 20;

function sniffArenascopeJson(head: Buffer): boolean {
  const text = head
    .subarray(0, 4096)
    .toString('utf8')
    .replace(/^\uFEFF/, '');
  return /^\s*\{/.test(text) && /"format"\s*:\s*"arenascope-(snapshot|series)"/.test(text);
}

type Json = string | number | boolean | null | Json[] | { [key: string]: Json };
type List = 'frames' | 'tracebacks' | 'totalNframe' | 'traces';
const LISTS: ReadonlySet<string> = new Set<List>(['frames', 'tracebacks', 'totalNframe', 'traces']);
// The keys of the file and of a snapshot that are checked; any other is passed over unread.
const FIELDS: ReadonlySet<string> = new Set([
  'format',
  'version',
  'source',
  'time',
  'tracedPeak',
  'tracebackLimit',
  'traceLayout',
  'pickleProtocol',
  'sourceFormat',
  'partial',
  'listing',
  'label',
]);
const ITEM: Record<List, ValidatorName> = {
  frames: 'frame',
  tracebacks: 'traceback',
  totalNframe: 'totalNframe',
  traces: 'trace',
};

// 'value': a value being built whole (a field, or an item of a list) to be checked and used.
type Role = 'root' | 'snapshots' | 'snapshot' | List | 'value' | 'skip';
interface Level {
  readonly role: Role;
  readonly isArray: boolean;
  /** Objects: the key being read. Arrays: how many values have begun. */
  key: string | null;
  index: number;
  readonly value: Json[] | { [key: string]: Json } | null;
  /** Objects: the keys read so far (a key given twice is refused: JSON.parse keeps the last). */
  readonly keys?: Set<string>;
}

// One snapshot being read: its own frame and traceback indices map to the shared table's ids.
class SnapshotBuilder {
  readonly fields: Record<string, Json> = {};
  readonly frameIds: number[] = [];
  readonly tbIds: number[] = [];
  readonly totals: (number | null)[] = [];
  readonly groups = new GroupBuilder();
}

/** Whether the key being read in the file or a snapshot is one the schema checks. */
function checked(level: Level): boolean {
  const key = level.key;
  return key !== null && (FIELDS.has(key) || LISTS.has(key) || (key === 'snapshots' && level.role === 'root'));
}

const pointer = (key: string): string => key.replace(/~/g, '~0').replace(/\//g, '~1');

/** stream-json's parser and stream-chain's helpers for its output. */
export interface JsonStreaming {
  readonly jsonParser: typeof import('stream-json/core/parser.js').jsonParser;
  readonly defs: Pick<typeof import('stream-chain/defs.js'), 'getManyValues' | 'isMany' | 'none'>;
}

/** Loaded when a JSON capture is read, not with the importers: no other input or command pays for it. */
export async function loadJsonStreaming(): Promise<JsonStreaming> {
  const [parser, defs] = await Promise.all([import('stream-json/core/parser.js'), import('stream-chain/defs.js')]);
  return { jsonParser: parser.jsonParser, defs };
}

export class JsonCaptureReader {
  private readonly parse: ReturnType<JsonStreaming['jsonParser']>;
  private readonly defs: JsonStreaming['defs'];
  private readonly check: Validators = validators();
  private readonly stack: Level[] = [];
  private readonly root = new SnapshotBuilder();
  private current: SnapshotBuilder | null = null;
  private readonly done: SnapshotBuilder[] = [];
  private readonly itemArray: Json[] = []; // reused: an item is used before the next begins
  private captured = 0;
  private fed = 0;
  // The text fed so far while it is short (HEAD_TEXT): where a syntax error is, walked again from
  // the start (the streaming parser does not say).
  private head: string | null = '';
  /** Bytes of a byte order mark before the text (the decoder leaves it out). */
  private bom = 0;
  private finished = false;

  constructor(
    private readonly file: string,
    private readonly frames: FrameTable,
    streaming: JsonStreaming,
  ) {
    this.parse = streaming.jsonParser({ packValues: true, streamValues: false });
    this.defs = streaming.defs;
  }

  private fail(detail: string): never {
    throw new InputError(this.file, `near byte ${this.fed}`, detail);
  }

  // A syntax error in `text`, the chunk being fed: at its byte when the text so far is short enough
  // to walk again, else within the chunk's bytes.
  private syntaxFail(text: string, parserSays: string): never {
    const all = this.head;
    const found = all === null ? null : syntaxError(all);
    if (all !== null && found && found.at < all.length) {
      const rest = all.slice(found.at, found.at + 12);
      const byte = this.bom + Buffer.byteLength(all.slice(0, found.at));
      throw new InputError(
        this.file,
        `byte ${byte}`,
        `not valid JSON: expected ${found.expected}, found ${JSON.stringify(rest)}${rest.length < 12 ? '' : '...'}`,
      );
    }
    const to = this.fed + Buffer.byteLength(text);
    throw new InputError(this.file, `between bytes ${this.fed} and ${to}`, `not valid JSON: ${parserSays}`);
  }

  private failAt(path: string, detail: string): never {
    throw new InputError(this.file, path.length > 120 ? `${path.slice(0, 119)}…` : path, detail);
  }

  /** The JSON path of the value begun last, down to the item or field being built. */
  private path(): string {
    let p = '';
    for (const l of this.stack) {
      if (l.role === 'value') break;
      p += l.isArray ? `/${l.index - 1}` : l.key === null ? '' : `/${pointer(l.key)}`;
    }
    return p;
  }

  /** Checks `value` against the named schema; `path` is where it is, by default the value begun last. */
  private validate(name: ValidatorName, value: Json, path?: string): void {
    if (this.check[name](value)) return;
    const problem = schemaProblem(name, value, path ?? this.path())!;
    this.failAt(problem.path, problem.detail);
  }

  /** The input begins with a UTF-8 byte order mark, which the text fed leaves out. */
  skipBom(): void {
    this.bom = this.fed = 3;
  }

  feed(text: string): void {
    let out: unknown;
    if (this.head !== null) this.head = this.head.length + text.length <= HEAD_TEXT ? this.head + text : null;
    try {
      out = this.parse(text);
    } catch (e) {
      this.syntaxFail(text, (e as Error).message.replace(/^Parser cannot parse input: /, ''));
    }
    this.fed += Buffer.byteLength(text);
    this.tokens(out);
  }

  private tokens(out: unknown): void {
    const { getManyValues, isMany, none } = this.defs;
    if (out === none) return;
    if (isMany(out)) for (const t of getManyValues(out) as Token[]) this.token(t);
    else this.token(out as Token);
  }

  /** Ends the input: the snapshots read (the last one cut off when the text is not complete). */
  end(): { builders: SnapshotBuilder[]; fields: Record<string, Json>; complete: boolean } {
    try {
      this.tokens(this.parse(this.defs.none as unknown as string));
    } catch (e) {
      if (!this.stack.length && this.finished)
        this.syntaxFail('', (e as Error).message.replace(/^Parser cannot parse input: /, ''));
    }
    const complete = this.finished;
    if (!complete && this.current) this.done.push(this.current); // the one cut off
    const builders = this.root.fields.format === SERIES_FORMAT ? this.done : [this.root];
    return { builders, fields: this.root.fields, complete };
  }

  /** Checks the fields of an input cut off (--allow-partial) as far as they go. */
  checkCutOff(): void {
    const cut = { frames: [], tracebacks: [], traces: [], snapshots: [] };
    const series = this.stack.find((l) => l.role === 'snapshots');
    if (this.current && series)
      this.validate('seriesItem', { ...cut, ...this.current.fields }, `/snapshots/${series.index - 1}`);
    this.validate(this.fileSchema(), { ...cut, ...this.root.fields }, '');
  }

  private fileSchema(): ValidatorName {
    return this.root.fields.format === SERIES_FORMAT ? 'seriesFile' : 'snapshotFile';
  }

  private token(t: Token): void {
    switch (t.name) {
      case 'keyValue': {
        const top = this.stack[this.stack.length - 1]!;
        if (top.keys?.has(t.value)) {
          top.key = null;
          this.failAt(
            `${this.path()}/${pointer(t.value)}`,
            `the key ${jsonExcerpt(t.value)} is given twice in one object: say it once`,
          );
        }
        top.keys?.add(t.value);
        top.key = t.value;
        return;
      }
      case 'startObject':
      case 'startArray':
        this.open(t.name === 'startObject');
        return;
      case 'endArray':
      case 'endObject':
        this.close(this.stack.pop()!);
        return;
      case 'stringValue':
      case 'nullValue':
      case 'trueValue':
      case 'falseValue':
        this.scalar(t.value);
        return;
      case 'numberValue':
        this.scalar(Number(t.value));
        return;
      default:
        return;
    }
  }

  private roleIn(parent: Level, isObject: boolean): Role {
    switch (parent.role) {
      case 'root':
      case 'snapshot': {
        const key = parent.key ?? '';
        if (!isObject && LISTS.has(key)) return key as List;
        if (!isObject && key === 'snapshots' && parent.role === 'root') return 'snapshots';
        // A field, or a list or snapshots that is not an array: kept whole, for the schema to judge.
        return checked(parent) ? 'value' : 'skip';
      }
      case 'snapshots':
        return isObject ? 'snapshot' : 'value';
      case 'skip':
        return 'skip';
      default:
        return 'value';
    }
  }

  private open(isObject: boolean): void {
    const parent = this.stack[this.stack.length - 1];
    if (this.stack.length >= MAX_DEPTH) this.fail('nested deeper than an arenascope file ever is');
    if (!parent) {
      if (!isObject) this.fail('expected a JSON object at the top');
      this.stack.push({ role: 'root', isArray: false, key: null, index: 0, value: null, keys: new Set() });
      return;
    }
    if (parent.isArray) parent.index++;
    const role = this.roleIn(parent, isObject);
    let value: Level['value'] = null;
    if (role === 'value') {
      if (parent.role !== 'value') this.captured = 0;
      this.counted();
      const reuse = !isObject && LISTS.has(parent.role);
      if (reuse) this.itemArray.length = 0;
      value = isObject ? {} : reuse ? this.itemArray : [];
    } else if (role === 'snapshot') this.current = new SnapshotBuilder();
    else if (role === 'snapshots' || LISTS.has(role)) this.builder().fields[parent.key!] = [];
    const keys = isObject && role !== 'skip' ? new Set<string>() : undefined;
    this.stack.push({ role, isArray: !isObject, key: null, index: 0, value, ...(keys ? { keys } : {}) });
  }

  private counted(): void {
    if (++this.captured > MAX_ITEM_VALUES) {
      this.failAt(this.path(), `more than ${MAX_ITEM_VALUES} values in one item: not an arenascope snapshot`);
    }
  }

  private builder(): SnapshotBuilder {
    return this.current ?? this.root;
  }

  private scalar(v: string | number | boolean | null): void {
    const top = this.stack[this.stack.length - 1];
    if (!top) this.fail('expected a JSON object at the top');
    if (top.isArray) top.index++;
    if (top.role === 'value') this.counted();
    this.put(top, v);
  }

  // A value is complete: a field of the file or a snapshot, an item of a list, or part of a value.
  private put(top: Level, v: Json): void {
    switch (top.role) {
      case 'value':
        if (Array.isArray(top.value)) top.value.push(v);
        // Defined, not assigned: a key "__proto__" is data here.
        else Object.defineProperty(top.value, top.key!, { value: v, enumerable: true, writable: true });
        return;
      case 'root':
      case 'snapshot':
        if (checked(top)) this.field(top.role === 'root', top.key!, v);
        return;
      case 'snapshots':
        this.validate('seriesItem', v); // not an object: fails
        return;
      case 'skip':
        return;
      default:
        this.item(top.role, v);
    }
  }

  private field(atRoot: boolean, key: string, v: Json): void {
    this.builder().fields[key] = v;
    // Checked at once: a file of another version may go on in a shape this one misreads.
    if (atRoot && key === 'version' && v !== JSON_VERSION) {
      this.failAt(
        '/version',
        `this arenascope reads version ${JSON_VERSION} of its JSON, the file says ${jsonExcerpt(v)}`,
      );
    }
    if (atRoot && key === 'format' && v !== SNAPSHOT_FORMAT && v !== SERIES_FORMAT) {
      this.failAt('/format', `expected "${SNAPSHOT_FORMAT}" or "${SERIES_FORMAT}", found ${jsonExcerpt(v)}`);
    }
  }

  private close(level: Level): void {
    if (level.role === 'value') this.put(this.stack[this.stack.length - 1]!, level.value!);
    else if (level.role === 'snapshot') {
      this.validate('seriesItem', this.current!.fields);
      const series = this.stack.find((l) => l.role === 'snapshots');
      this.checkListing(this.current!, `/snapshots/${(series?.index ?? 1) - 1}`);
      this.done.push(this.current!);
      this.current = null;
    } else if (level.role === 'root') {
      this.validate(this.fileSchema(), this.root.fields, '');
      if (this.root.fields.listing !== undefined) this.checkListing(this.root, '');
      this.finished = true;
    }
  }

  /** A listing's gone sites are tracebacks of its own, and only a logged listing has a listing. */
  private checkListing(b: SnapshotBuilder, at: string): void {
    const listing = b.fields.listing as { gone: number[] } | undefined;
    if (listing === undefined) return;
    if (b.fields.sourceFormat !== 'tracemalloc-text') {
      this.failAt(
        `${at}/listing`,
        'a listing is only of a snapshot converted from one ("sourceFormat": "tracemalloc-text")',
      );
    }
    const k = listing.gone.findIndex((tb) => b.tbIds[tb] === undefined);
    if (k >= 0) {
      this.failAt(
        `${at}/listing/gone/${k}`,
        `refers to traceback ${listing.gone[k]}, which the snapshot does not define`,
      );
    }
  }

  private item(list: List, v: Json): void {
    const b = this.builder();
    this.validate(ITEM[list], v);
    if (list === 'traces') {
      const [domain, tb, size, count] = v as number[];
      const id = b.tbIds[tb!];
      if (id === undefined) {
        this.failAt(
          this.path(),
          `trace refers to traceback ${tb}, which is not defined before it (write "tracebacks" before "traces")`,
        );
      }
      // Whole bytes, as every allocator counts them: only a logged listing's sizes, as printed (3
      // significant digits), have fractions (a fraction made stats print sizes of 4800.268 bytes).
      if (!Number.isInteger(size) && b.fields.sourceFormat !== 'tracemalloc-text') {
        this.failAt(
          `${this.path()}/2`,
          `a size of ${size} bytes: sizes are whole bytes (only a listing converted from a log has fractions)`,
        );
      }
      b.groups.add(domain!, id, size!, count!);
    } else if (list === 'frames') {
      const [filename, lineno] = v as [string, number];
      b.frameIds.push(this.frames.internFrame(filename, lineno));
    } else if (list === 'tracebacks') {
      const ids = (v as number[]).map((i, k) => {
        const id = b.frameIds[i];
        if (id === undefined) {
          this.failAt(
            `${this.path()}/${k}`,
            `traceback refers to frame ${i}, which is not defined before it (write "frames" before "tracebacks")`,
          );
        }
        return id;
      });
      b.tbIds.push(this.frames.internTraceback(ids));
    } else b.totals.push(v as number | null);
  }
}

function toSnapshot(
  label: string,
  b: SnapshotBuilder,
  frames: FrameTable,
  gzip: boolean,
  bytes: number,
  partial: boolean,
): Snapshot {
  b.totals.forEach((t, i) => {
    if (t !== null && b.tbIds[i] !== undefined) frames.noteTotalNframe(b.tbIds[i]!, t);
  });
  // Checked against the schema: whole numbers or null, and a time a Date holds.
  const limit = b.fields.tracebackLimit;
  const time = b.fields.time;
  const peak = b.fields.tracedPeak;
  const layout = b.fields.traceLayout;
  const protocol = b.fields.pickleProtocol;
  const from = b.fields.sourceFormat;
  const file = b.fields.source;
  const listing = b.fields.listing as unknown as ListingShown | undefined; // checked (checkListing)
  return {
    kind: 'snapshot',
    source: {
      path: label,
      format: FORMAT,
      gzip,
      bytes,
      ...(typeof from === 'string' ? { from } : {}),
      ...(typeof file === 'string' && file !== '-' ? { fromFile: file } : {}),
    },
    frames,
    groups: b.groups.finish(),
    tracebackLimit: typeof limit === 'number' ? limit : null,
    layout: layout === '3-tuple' || layout === '4-tuple' ? layout : null,
    ...(typeof protocol === 'number' ? { pickleProtocol: protocol } : {}),
    traceCount: b.groups.traceCount,
    totalSize: b.groups.totalSize,
    time: typeof time === 'number' ? time : null,
    ...(typeof peak === 'number' ? { tracedPeak: peak } : {}),
    partial: partial || b.fields.partial === true,
    warnings: [],
    ...(listing
      ? {
          listing: {
            ...listing,
            gone: listing.gone.flatMap((tb) => b.tbIds[tb] ?? []) /* of a cut file, those read */,
          },
        }
      : {}),
  };
}

async function readArenascopeJson(input: InputStream, opts: ReadOptions): Promise<Snapshot | SnapshotSeries> {
  const frames = opts.frames ?? new FrameTable();
  const reader = new JsonCaptureReader(input.label, frames, await loadJsonStreaming());
  // UTF-8 only: a Latin-1 file name read as U+FFFD named another file (and shifted every byte offset).
  const decoder = new TextDecoder('utf-8', { fatal: true });
  let bytes = 0;
  const decode = (chunk?: Buffer): string => {
    try {
      return chunk ? decoder.decode(chunk, { stream: true }) : decoder.decode();
    } catch {
      // The end cuts a character in two: the JSON stops there, which its reader says (a cut file).
      if (!chunk) return '';
      const from = Math.max(0, bytes - (chunk?.length ?? 0) - 3);
      throw new InputError(
        input.label,
        `between bytes ${from} and ${bytes}`,
        'not UTF-8: arenascope JSON is UTF-8 text',
      );
    }
  };
  for await (const chunk of untilGzipCut(input)) {
    if (bytes === 0 && chunk[0] === 0xef && chunk[1] === 0xbb && chunk[2] === 0xbf) reader.skipBom();
    bytes += chunk.length;
    reader.feed(decode(chunk));
  }
  reader.feed(decode());
  const { builders, fields, complete } = reader.end();
  const warnings: string[] = [];
  const cut = gzipEnd(input, opts.allowPartial ?? false);
  if (cut) warnings.push(cut);
  if (!complete) {
    const msg = `the JSON stops at byte ${bytes} before it is complete`;
    if (!opts.allowPartial) throw new TruncatedError(input.label, `byte ${bytes}`, msg);
    reader.checkCutOff();
    markCutShort(input);
    warnings.push(`${input.label}: ${msg}; using what was read (--allow-partial)`);
  }
  const format = fields.format;
  const snapshots = builders.map((b, i) =>
    toSnapshot(
      builders.length > 1 || format === SERIES_FORMAT ? `${input.label}#${i}` : input.label,
      b,
      frames,
      input.gzip,
      bytes,
      !complete && i === builders.length - 1,
    ),
  );
  // Converted from a dump, it carries the dump's protocol and trace layout: a --python that could not
  // have written that dump is refused as it is for the dump (3.6 read a 3.13 dump's tracebacks reversed).
  const minor = opts.python === undefined ? null : python3Minor(opts.python);
  if (minor !== null) {
    snapshots.forEach((s, i) => {
      const why = notWrittenBy(minor, s.pickleProtocol, s.layout);
      const which = snapshots.length > 1 ? `snapshot #${i}` : '';
      if (why) throw new InputError(input.label, which, `not converted from a dump of CPython ${opts.python}: ${why}`);
    });
  }
  const cutBefore = builders.filter((b) => b.fields.partial === true).length;
  // Read cut short when it was converted: as the capture itself, read only with --allow-partial (diff
  // read every trace after the cut as freed, exit 0, where the dump it was made from was refused).
  if (cutBefore && !opts.allowPartial) {
    const first = builders.findIndex((b) => b.fields.partial === true);
    throw new TruncatedError(
      input.label,
      builders.length > 1 ? `the "partial" field of its snapshot #${first}` : 'its "partial" field',
      `${cutBefore === 1 && builders.length === 1 ? 'converted' : `${cutBefore} of its snapshots converted`} ` +
        'from a capture read cut short: the traces after the cut are missing (--allow-partial reads it)',
    );
  }
  if (cutBefore) {
    warnings.push(
      `${input.label}: ${cutBefore === 1 && builders.length === 1 ? 'converted' : `${cutBefore} of its snapshots converted`} ` +
        'from a capture read cut short (--allow-partial): the traces after the cut are missing',
    );
  }
  if (snapshots.some((s) => s.source.from === 'tracemalloc-text')) {
    warnings.push(
      `${input.label}: converted from logged tracemalloc statistics: sites a top N leaves out count as 0 outside a diff, ` +
        'totals cover the listed ones (a block at each of its frames if cumulative=True)',
    );
  }
  // A snapshot saved with its label (`exit`: a run's last capture, which leaks does not judge) is a
  // series of one, which carries it; read as a bare snapshot, the label was lost.
  const label = fields.label;
  if (format === SNAPSHOT_FORMAT && typeof label !== 'string') return { ...snapshots[0]!, warnings };
  if (format === SNAPSHOT_FORMAT) return { kind: 'snapshot-series', snapshots, labels: [label as string], warnings };
  return {
    kind: 'snapshot-series',
    snapshots,
    labels: builders.map((b, i) => {
      const l = b.fields.label;
      return typeof l === 'string' ? l : `#${i}`;
    }),
    warnings,
  };
}

export const importer: Importer = {
  format: FORMAT,
  describe: 'arenascope JSON snapshot or series (arenascope convert --to json)',
  sniff: sniffArenascopeJson,
  read: readArenascopeJson,
};
