import type { z } from 'zod';

export type LeafKind = 'string' | 'number' | 'boolean' | 'enum' | 'string-array' | 'other';

export interface EnvLeaf {
  path: string[];
  env: string;
  kind: LeafKind;
}

interface Def {
  type: string;
  innerType?: z.ZodType;
  in?: z.ZodType;
  element?: z.ZodType;
  shape?: Record<string, z.ZodType>;
}

const defOf = (schema: z.ZodType): Def => (schema as unknown as { def: Def }).def;

/** Strips optional/default/prefault/nullable/pipe wrappers down to the schema that holds the value. */
function unwrap(schema: z.ZodType): z.ZodType {
  let s = schema;
  for (;;) {
    const def = defOf(s);
    if (def.innerType) s = def.innerType;
    else if (def.type === 'pipe' && def.in) s = def.in;
    else return s;
  }
}

const toSnake = (segment: string) => segment.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toUpperCase();

export function envName(prefix: string, path: string[]): string {
  return [prefix, ...path.map(toSnake)].join('_');
}

/** Every leaf of the config schema with the environment variable that sets it. */
export function envLeaves(schema: z.ZodType, prefix = 'RISK', path: string[] = []): EnvLeaf[] {
  const inner = unwrap(schema);
  const def = defOf(inner);
  if (def.type === 'object' && def.shape) {
    return Object.entries(def.shape).flatMap(([key, child]) => envLeaves(child, prefix, [...path, key]));
  }
  let kind: LeafKind = 'other';
  if (def.type === 'string') kind = 'string';
  else if (def.type === 'number') kind = 'number';
  else if (def.type === 'boolean') kind = 'boolean';
  else if (def.type === 'enum') kind = 'enum';
  else if (def.type === 'array' && def.element && defOf(unwrap(def.element)).type === 'string')
    kind = 'string-array';
  return [{ path, env: envName(prefix, path), kind }];
}

/**
 * Converts an environment string to the leaf's type. Values that do not convert are passed on
 * unchanged so that validation reports them with the field's name.
 */
export function parseEnvValue(kind: LeafKind, raw: string): unknown {
  switch (kind) {
    case 'number': {
      const n = raw.trim() === '' ? Number.NaN : Number(raw);
      return Number.isNaN(n) ? raw : n;
    }
    case 'boolean': {
      const v = raw.trim().toLowerCase();
      if (['true', '1', 'yes', 'on'].includes(v)) return true;
      if (['false', '0', 'no', 'off'].includes(v)) return false;
      return raw;
    }
    case 'string-array':
      return raw
        .split(',')
        .map((s) => s.trim())
        .filter((s) => s.length > 0);
    default:
      return raw;
  }
}
