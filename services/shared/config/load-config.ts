import { readFileSync } from 'node:fs';
import type { z } from 'zod';
import { ConfigError } from './config-error.js';
import { type Config, configSchema } from './config-schema.js';
import { envLeaves, envName, parseEnvValue } from './env-mapping.js';
import { isSecretPath } from './redact.js';

export interface LoadConfigOptions {
  env?: NodeJS.ProcessEnv;
  /** JSON config file; defaults to $RISK_CONFIG_FILE. Environment variables override it. */
  file?: string | undefined;
  /** Highest precedence, e.g. from CLI flags; a nested partial config. */
  overrides?: Record<string, unknown>;
}

type Tree = Record<string, unknown>;

function setPath(tree: Tree, path: string[], value: unknown): void {
  let node = tree;
  for (const key of path.slice(0, -1)) {
    const next = node[key];
    if (typeof next !== 'object' || next === null || Array.isArray(next)) node[key] = {};
    node = node[key] as Tree;
  }
  node[path[path.length - 1] as string] = value;
}

function merge(base: Tree, over: Tree): Tree {
  const out: Tree = { ...base };
  for (const [k, v] of Object.entries(over)) {
    const b = out[k];
    out[k] =
      typeof v === 'object' &&
      v !== null &&
      !Array.isArray(v) &&
      typeof b === 'object' &&
      b !== null &&
      !Array.isArray(b)
        ? merge(b as Tree, v as Tree)
        : v;
  }
  return out;
}

function readFile(file: string): Tree {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError(`config file ${file}: cannot read it (${(err as Error).message})`);
  }
  try {
    const parsed: unknown = JSON.parse(text);
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
      throw new Error('expected a JSON object at the top level');
    }
    return parsed as Tree;
  } catch (err) {
    throw new ConfigError(`config file ${file}: not valid JSON config (${(err as Error).message})`);
  }
}

function describeIssue(issue: z.core.$ZodIssue, input: Tree, fromEnv: Set<string>): string {
  const path = issue.path.map(String);
  const dotted = path.join('.') || '(root)';
  const env = envName('RISK', path);
  const source = fromEnv.has(dotted) ? ` (from ${env})` : ` (env ${env})`;
  let got: unknown = input;
  for (const key of path) got = typeof got === 'object' && got !== null ? (got as Tree)[key] : undefined;
  const shown = got === undefined ? 'nothing' : isSecretPath(path) ? '[redacted]' : JSON.stringify(got);
  return `${dotted}${source}: ${issue.message}; got ${shown}`;
}

/** Builds the effective config: defaults < file < environment < overrides. Throws ConfigError. */
export function loadConfig(options: LoadConfigOptions = {}): Config {
  const env = options.env ?? process.env;
  const file = options.file ?? env.RISK_CONFIG_FILE;
  let input: Tree = file ? readFile(file) : {};
  const fromEnv = new Set<string>();
  const envTree: Tree = {};
  for (const leaf of envLeaves(configSchema)) {
    const raw = env[leaf.env];
    if (raw === undefined) continue;
    setPath(envTree, leaf.path, parseEnvValue(leaf.kind, raw));
    fromEnv.add(leaf.path.join('.'));
  }
  input = merge(merge(input, envTree), options.overrides ?? {});
  const result = configSchema.safeParse(input);
  if (!result.success) {
    const problems = result.error.issues.map((i) => describeIssue(i, input, fromEnv));
    throw new ConfigError(`invalid configuration:\n  ${problems.join('\n  ')}`, problems);
  }
  return result.data;
}
