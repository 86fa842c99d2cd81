// The validators of arenascope's published JSON schemas (schema/*.schema.json), made by ajv, and
// their failures as one-line messages. The build writes them as standalone code beside this module
// (scripts/build-validators.mjs): loading it costs `gate` ~10 ms, loading ajv and compiling ~150 ms.
// Run from src (the tests), they are compiled at first use. Only commands that read JSON load either.

import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Ajv2020, ErrorObject, Options, ValidateFunction } from 'ajv/dist/2020.js';

const SCHEMA_URL = 'https://github.com/arenascope/arenascope/schema/';
const SCHEMA_DIR = new URL('../../schema/', import.meta.url);

/** Each validator: a schema file, or a definition in one (the items of arrays read one by one). */
export const VALIDATORS = {
  config: 'arenascope-config.schema.json',
  report: 'arenascope-report.schema.json',
  snapshotFile: 'arenascope-snapshot.schema.json#/oneOf/0',
  seriesFile: 'arenascope-snapshot.schema.json#/oneOf/1',
  seriesItem: 'arenascope-snapshot.schema.json#/$defs/seriesItem',
  frame: 'arenascope-snapshot.schema.json#/$defs/frame',
  traceback: 'arenascope-snapshot.schema.json#/$defs/traceback',
  totalNframe: 'arenascope-snapshot.schema.json#/$defs/totalNframeItem',
  trace: 'arenascope-snapshot.schema.json#/$defs/trace',
} as const;

export type ValidatorName = keyof typeof VALIDATORS;
export type Validators = Readonly<Record<ValidatorName, ValidateFunction>>;

/** The validators' ids, as ajv's standalone code generation takes them. */
export function validatorIds(): Record<ValidatorName, string> {
  return Object.fromEntries(Object.entries(VALIDATORS).map(([k, ref]) => [k, SCHEMA_URL + ref])) as Record<
    ValidatorName,
    string
  >;
}

/** An ajv holding every published schema, with the options the validators are made with. */
export function createAjv(extra: Options = {}): Ajv2020 {
  const require = createRequire(import.meta.url);
  const Ajv = (require('ajv/dist/2020') as { Ajv2020: typeof Ajv2020 }).Ajv2020;
  // verbose: a failure carries the value and the schema, for the excerpt and the schema's title.
  // strictRequired off: the report's anyOf of "formats" and "kinds" requires keys defined beside it.
  // unicode off: a string's length in UTF-16 units (JavaScript's), so that a maxLength needs no ajv
  // runtime helper in the built validators (they load nothing of ajv: test/ingest/json-inputs.test.ts).
  const ajv = new Ajv({
    unicode: false,
    strict: true,
    strictRequired: false,
    allowUnionTypes: true,
    allErrors: false,
    verbose: true,
    ...extra,
  });
  for (const file of new Set(Object.values(VALIDATORS).map((ref) => ref.split('#')[0]!))) {
    ajv.addSchema(JSON.parse(readFileSync(new URL(file, SCHEMA_DIR), 'utf8')) as object);
  }
  return ajv;
}

let loaded: Validators | undefined;

/** The validators: the build's standalone code when it is there, else compiled now (once). */
export function validators(): Validators {
  if (loaded) return loaded;
  try {
    loaded = createRequire(import.meta.url)('./json-validators.cjs') as Validators;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'MODULE_NOT_FOUND') throw e;
    const ajv = createAjv();
    loaded = Object.fromEntries(
      Object.entries(validatorIds()).map(([name, id]) => [name, ajv.getSchema(id)!]),
    ) as unknown as Validators;
  }
  return loaded;
}

const MAX_SAFE = Number.MAX_SAFE_INTEGER;
const LATEST_DATE_S = 8.64e12;

/**
 * `value` in JSON, cut to `max` characters: what a message quotes of the input. Never walks
 * deeper than `max` levels nor further than `max` characters, whatever the value holds.
 */
export function jsonExcerpt(value: unknown, max = 80): string {
  let out = '';
  const put = (s: string): boolean => {
    out += s;
    return out.length <= max;
  };
  const walk = (v: unknown): boolean => {
    if (Array.isArray(v)) {
      if (!put('[')) return false;
      for (let i = 0; i < v.length; i++) if ((i > 0 && !put(',')) || !walk(v[i])) return false;
      return put(']');
    }
    if (v !== null && typeof v === 'object') {
      if (!put('{')) return false;
      let first = true;
      for (const k in v) {
        if (!Object.hasOwn(v, k)) continue;
        if ((!first && !put(',')) || !put(`${JSON.stringify(k.slice(0, max))}:`)) return false;
        if (!walk((v as Record<string, unknown>)[k])) return false;
        first = false;
      }
      return put('}');
    }
    return put(typeof v === 'string' ? JSON.stringify(v.slice(0, max)) : String(v));
  };
  return walk(value) ? out : `${out.slice(0, max - 1)}…`;
}

const TYPES: Record<string, string> = {
  integer: 'a whole number',
  number: 'a number',
  string: 'a string',
  boolean: 'true or false',
  array: 'an array',
  object: 'an object',
  null: 'null',
};

function typeNames(t: string | string[]): string {
  return ([] as string[])
    .concat(t)
    .map((x) => TYPES[x] ?? x)
    .join(' or ');
}

// Why a limit is there, when the schema sets it for what a reader can hold rather than for meaning.
function limitNote(limit: number): string {
  if (Math.abs(limit) === MAX_SAFE) return ' (2**53 - 1: larger integers are not held exactly)';
  if (Math.abs(limit) === LATEST_DATE_S) return ' (seconds: the furthest time a date holds)';
  if (limit === 2 ** 33) return ' (MiB: 2**53 bytes)';
  return '';
}

function message(e: ErrorObject): string {
  const p = e.params as Record<string, unknown>;
  switch (e.keyword) {
    case 'additionalProperties': {
      const known = Object.keys((e.parentSchema as { properties?: object }).properties ?? {}).filter(
        (k) => !k.startsWith('$'),
      );
      return `unknown key ${jsonExcerpt(p.additionalProperty, 60)}; known keys: ${known.join(', ')}`;
    }
    case 'required':
      return `missing "${String(p.missingProperty)}"`;
    case 'type':
      return `must be ${typeNames(p.type as string | string[])}`;
    case 'const':
      return `must be ${jsonExcerpt(p.allowedValue, 40)}`;
    case 'enum':
      return `must be one of ${(p.allowedValues as unknown[]).map((v) => jsonExcerpt(v, 40)).join(', ')}`;
    case 'minimum':
    case 'maximum':
      return `must be ${p.comparison} ${p.limit}${limitNote(p.limit as number)}`;
    default:
      return e.message ?? `fails "${e.keyword}"`;
  }
}

// The title of an alternative (oneOf, anyOf) in a definition: what a value there may be. A schema's
// own title names the document, not an alternative.
function alternativeTitle(e: ErrorObject): string | undefined {
  const parent = e.parentSchema as { title?: string; $id?: string } | undefined;
  return (e.keyword === 'oneOf' || e.keyword === 'anyOf') && parent?.$id === undefined ? parent?.title : undefined;
}

/** The one problem a message reports: the widest alternative the schema names, else the first failure. */
function chosen(errors: readonly ErrorObject[]): ErrorObject {
  const titled = errors.filter((e) => alternativeTitle(e) !== undefined);
  return titled[titled.length - 1] ?? errors[0]!;
}

/** The first problem of `value` against the named schema, or null: its JSON path (after `base`) and what it is. */
export function schemaProblem(
  name: ValidatorName,
  value: unknown,
  base = '',
): { readonly path: string; readonly detail: string } | null {
  const validate = validators()[name];
  if (validate(value)) return null;
  const e = chosen(validate.errors ?? []);
  const title = alternativeTitle(e);
  const what = title ? `must be ${title}` : message(e);
  const quote =
    e.keyword === 'required' || e.keyword === 'additionalProperties' ? '' : `, found ${jsonExcerpt(e.data)}`;
  const path = base + e.instancePath;
  return { path: path.length > 120 ? `${path.slice(0, 119)}…` : path, detail: what + quote };
}
