// What a value on a pickle's stack is, as far as naming a pickle that is not a tracemalloc snapshot
// needs: its type, the text of a short str (dict keys are shown), the global it comes from.

export class Kind {
  constructor(
    readonly what: string,
    /** The value of a short str (dict keys are shown). */
    readonly text: string | null = null,
  ) {}
}
export class DictKind extends Kind {
  readonly keys: string[] = [];
  constructor() {
    super('a dict');
  }
}
export class GlobalKind extends Kind {}

export const KIND = {
  int: new Kind('an int'),
  float: new Kind('a float'),
  bool: new Kind('a bool'),
  none: new Kind('None'),
  bytes: new Kind('a bytes object'),
  tuple: new Kind('a tuple'),
  list: new Kind('a list'),
  set: new Kind('a set'),
  frozenset: new Kind('a frozenset'),
  persistent: new Kind('a persistent reference'),
  str: new Kind('a str'),
  unknown: new Kind('an object'),
};

export const strKind = (s: string): Kind => new Kind('a str', s.length <= 255 ? s : null);

const quote = (s: string): string => JSON.stringify(s.length > 40 ? `${s.slice(0, 40)}…` : s).replace(/^"|"$/g, "'");

/** 'a dict with keys 'a', 'b', …', 'torch.x.Y(…)', 'a list'. */
export function describeKind(k: Kind, pendingKeys: readonly string[] = []): string {
  if (!(k instanceof DictKind)) return k.what;
  const keys = [...k.keys, ...pendingKeys];
  if (keys.length === 0) return k.what;
  const shown = keys.slice(0, 3).map(quote).join(', ') + (keys.length > 3 ? ', …' : '');
  // torch.cuda.memory._snapshot() documents this layout, and _dump_snapshot() pickles it as it is.
  const torch = keys.includes('segments') && keys.includes('device_traces');
  return `a dict with keys ${shown}${torch ? ' (what torch.cuda.memory._snapshot() returns)' : ''}`;
}

export const NOT_A_SNAPSHOT = 'not a tracemalloc snapshot (there is no tracemalloc.Snapshot in it)';
