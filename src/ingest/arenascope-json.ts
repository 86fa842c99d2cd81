// Importer for arenascope's own JSON form of a snapshot or a series (schema/arenascope-snapshot
// .schema.json), read token by token with stream-json so that a huge traces array never sits in
// memory whole: each trace is added to the groups as soon as its four numbers are read.

import { getManyValues, isMany, none } from 'stream-chain/defs.js';
import { jsonParser, type Token } from 'stream-json/core/parser.js';
import { FrameTable } from '../model/frames.js';
import { GroupBuilder, type Snapshot } from '../model/snapshot.js';
import type { SnapshotSeries } from '../model/snapshot-series.js';
import { SNAPSHOT_JSON } from '../model/source.js';
import { InputError, TruncatedError } from '../util/errors.js';
import type { Importer, ReadOptions } from './importer.js';
import type { InputStream } from './open-input.js';

const FORMAT = 'arenascope-json';
const { snapshot: SNAPSHOT_FORMAT, series: SERIES_FORMAT, version: JSON_VERSION } = SNAPSHOT_JSON;

function sniffArenascopeJson(head: Buffer): boolean {
  const text = head
    .subarray(0, 4096)
    .toString('utf8')
    .replace(/^\uFEFF/, '');
  return /^\s*\{/.test(text) && /"format"\s*:\s*"arenascope-(snapshot|series)"/.test(text);
}

type Scalar = string | number | boolean | null;
type Role = 'root' | 'snapshots' | 'snapshot' | 'frames' | 'tracebacks' | 'totalNframe' | 'traces' | 'item' | 'skip';
interface Level {
  readonly role: Role;
  key: string | null;
}

// One snapshot being read: its own frame and traceback indices map to the shared table's ids.
class SnapshotBuilder {
  readonly fields = new Map<string, Scalar>();
  readonly frameIds: number[] = [];
  readonly tbIds: number[] = [];
  readonly totals: (number | null)[] = [];
  readonly groups = new GroupBuilder();
}

export class JsonCaptureReader {
  private readonly parse = jsonParser({ packValues: true, streamValues: false });
  private readonly stack: Level[] = [];
  private readonly items: Scalar[] = [];
  private readonly root = new SnapshotBuilder();
  private current: SnapshotBuilder | null = null;
  private readonly done: SnapshotBuilder[] = [];
  private fed = 0;
  private finished = false;

  constructor(
    private readonly file: string,
    private readonly frames: FrameTable,
  ) {}

  private fail(detail: string): never {
    throw new InputError(this.file, `near byte ${this.fed}`, detail);
  }

  feed(text: string): void {
    let out: unknown;
    try {
      out = this.parse(text);
    } catch (e) {
      this.fail(`not valid JSON: ${(e as Error).message}`);
    }
    this.fed += Buffer.byteLength(text);
    this.tokens(out);
  }

  private tokens(out: unknown): void {
    if (out === none) return;
    if (isMany(out)) for (const t of getManyValues(out) as Token[]) this.token(t);
    else this.token(out as Token);
  }

  /** Ends the input; returns the snapshots read and whether the text was complete. */
  end(): { builders: SnapshotBuilder[]; fields: Map<string, Scalar>; complete: boolean } {
    try {
      this.tokens(this.parse(none as unknown as string));
    } catch (e) {
      if (!this.stack.length && this.finished) this.fail(`not valid JSON: ${(e as Error).message}`);
    }
    const complete = this.finished;
    if (!complete && this.current) this.done.push(this.current); // the one cut off
    const builders = this.root.fields.get('format') === SERIES_FORMAT ? this.done : [this.root];
    return { builders, fields: this.root.fields, complete };
  }

  private token(t: Token): void {
    const top = this.stack[this.stack.length - 1];
    switch (t.name) {
      case 'keyValue':
        top!.key = t.value;
        return;
      case 'startObject':
      case 'startArray':
        this.open(t.name === 'startObject', top);
        return;
      case 'endArray':
      case 'endObject':
        this.close(this.stack.pop()!);
        return;
      case 'stringValue':
        this.scalar(top, t.value);
        return;
      case 'numberValue':
        this.scalar(top, Number(t.value));
        return;
      case 'nullValue':
        this.scalar(top, null);
        return;
      case 'trueValue':
      case 'falseValue':
        this.scalar(top, t.value);
        return;
      default:
        return;
    }
  }

  private open(isObject: boolean, parent: Level | undefined): void {
    let role: Role = 'skip';
    if (!parent) {
      if (!isObject) this.fail('expected a JSON object at the top');
      role = 'root';
    } else if (parent.role === 'root' && parent.key === 'snapshots' && !isObject) role = 'snapshots';
    else if (parent.role === 'snapshots' && isObject) {
      role = 'snapshot';
      this.current = new SnapshotBuilder();
    } else if ((parent.role === 'root' || parent.role === 'snapshot') && !isObject) {
      const key = parent.key;
      if (key === 'frames' || key === 'tracebacks' || key === 'totalNframe' || key === 'traces') role = key;
    } else if ((parent.role === 'frames' || parent.role === 'tracebacks' || parent.role === 'traces') && !isObject) {
      role = 'item';
      this.items.length = 0;
    }
    // 'skip': a field this version does not know (a later version's addition) is passed over.
    if (this.stack.length >= 64) this.fail('nested deeper than an arenascope file ever is');
    this.stack.push({ role, key: null });
  }

  private builder(): SnapshotBuilder {
    return this.current ?? this.root;
  }

  private scalar(top: Level | undefined, v: Scalar): void {
    if (!top) this.fail('expected a JSON object at the top');
    if (top.role === 'item') this.items.push(v);
    else if (top.role === 'totalNframe') this.builder().totals.push(typeof v === 'number' ? v : null);
    else if ((top.role === 'root' || top.role === 'snapshot') && top.key !== null)
      this.builder().fields.set(top.key, v);
    else if (top.role !== 'skip') this.fail(`unexpected ${JSON.stringify(v)} in "${top.role}"`);
  }

  private close(level: Level): void {
    const parent = this.stack[this.stack.length - 1];
    if (level.role === 'item') this.item(parent!.role);
    else if (level.role === 'snapshot') {
      this.done.push(this.current!);
      this.current = null;
    } else if (level.role === 'root') this.finished = true;
  }

  private item(list: Role): void {
    const b = this.builder();
    const it = this.items;
    const isInt = (x: Scalar): x is number => typeof x === 'number' && Number.isInteger(x);
    if (list === 'traces') {
      const [domain, tb, size, count] = it;
      if (
        it.length !== 4 ||
        !isInt(domain) ||
        !isInt(tb) ||
        typeof size !== 'number' ||
        !isInt(count) ||
        domain < 0 ||
        size < 0 ||
        count < 1
      ) {
        this.fail(`expected a trace [domain, traceback index, size, count], found ${JSON.stringify(it)}`);
      }
      const id = b.tbIds[tb];
      if (id === undefined)
        this.fail(
          `trace refers to traceback ${tb}, which is not defined before it (write "tracebacks" before "traces")`,
        );
      b.groups.add(domain, id, size, count);
    } else if (list === 'frames') {
      const [filename, lineno] = it;
      if (it.length !== 2 || typeof filename !== 'string' || !isInt(lineno)) {
        this.fail(`expected a frame [filename, lineno], found ${JSON.stringify(it)}`);
      }
      b.frameIds.push(this.frames.internFrame(filename, lineno));
    } else {
      const ids = it.map((i) => (isInt(i) ? b.frameIds[i] : undefined));
      if (!ids.length || ids.some((i) => i === undefined)) {
        this.fail(`expected a traceback as indices of frames defined before it, found ${JSON.stringify(it)}`);
      }
      b.tbIds.push(this.frames.internTraceback(ids as number[]));
    }
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
  const limit = b.fields.get('tracebackLimit');
  const time = b.fields.get('time');
  return {
    kind: 'snapshot',
    source: { path: label, format: FORMAT, gzip, bytes },
    frames,
    groups: b.groups.finish(),
    tracebackLimit: typeof limit === 'number' ? limit : null,
    layout: null,
    traceCount: b.groups.traceCount,
    totalSize: b.groups.totalSize,
    time: typeof time === 'number' ? time : null,
    partial,
    warnings: [],
  };
}

async function readArenascopeJson(input: InputStream, opts: ReadOptions): Promise<Snapshot | SnapshotSeries> {
  const frames = opts.frames ?? new FrameTable();
  const reader = new JsonCaptureReader(input.label, frames);
  const decoder = new TextDecoder('utf-8');
  let bytes = 0;
  for await (const chunk of input.chunks) {
    bytes += chunk.length;
    reader.feed(decoder.decode(chunk, { stream: true }));
  }
  reader.feed(decoder.decode());
  const { builders, fields, complete } = reader.end();
  const format = fields.get('format');
  const version = fields.get('version');
  const warnings: string[] = [];
  if (!complete) {
    const msg = `the JSON stops at byte ${bytes} before it is complete`;
    if (!opts.allowPartial) throw new TruncatedError(input.label, `byte ${bytes}`, msg);
    warnings.push(`${input.label}: ${msg}; using what was read (--allow-partial)`);
  }
  if (format !== SNAPSHOT_FORMAT && format !== SERIES_FORMAT) {
    throw new InputError(
      input.label,
      '',
      `expected "format": "${SNAPSHOT_FORMAT}" or "${SERIES_FORMAT}", found ${JSON.stringify(format ?? null)}`,
    );
  }
  if (version !== JSON_VERSION) {
    throw new InputError(
      input.label,
      '',
      `this arenascope reads version ${JSON_VERSION} of its JSON, the file says ${JSON.stringify(version ?? null)}`,
    );
  }
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
  if (format === SNAPSHOT_FORMAT) return { ...snapshots[0]!, warnings };
  return {
    kind: 'snapshot-series',
    snapshots,
    labels: builders.map((b, i) => {
      const l = b.fields.get('label');
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
