import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Command } from 'commander';
import type { z } from 'zod';
import { ANOMALY_BUNDLE_FILE, anomalyBundleContentSchema } from '../../models/anomaly/anomaly-bundle.js';
import { BUNDLE_FILES } from '../../models/bundle/bundle-files.js';
import { bundleMetadataSchema } from '../../models/bundle/bundle-schemas.js';
import { ModelRegistry, RegistryError, type RegistryModel } from '../../models/registry/model-registry.js';
import { promoteVerified } from '../../retrainer/verified-promotion.js';
import { pipelineFeatures } from '../../scorer/pipeline-features.js';
import type { Config } from '../../shared/config/config-schema.js';
import { loadConfig } from '../../shared/config/load-config.js';
import type { ModelUpdate } from '../../shared/contracts/records.js';
import { UsageError } from '../usage-error.js';
import { notifyModelUpdate } from './model-update-notify.js';

interface CommonOptions {
  model: string;
  registry?: string;
  config?: string;
}

export interface ModelListEntry {
  version: string;
  current: boolean;
  createdAt: string | null;
  /** Headline numbers from metadata.json (null when it cannot be read). */
  metrics: Record<string, number> | null;
  /** The retrainer's gate decision for challengers it published. */
  gateDecision: string | null;
}

export interface ModelsCommandDeps {
  stdout: (text: string) => void;
  /** Sends a pointer move to the model-updates topic where the config names Kafka. */
  notify: (config: Config, update: ModelUpdate) => Promise<boolean>;
}

const defaultDeps: ModelsCommandDeps = {
  stdout: (t) => process.stdout.write(t),
  notify: (config, update) => notifyModelUpdate(config, update),
};

/** `risk-monitor models list | promote VERSION | rollback`: the registry by hand. */
export function registerModelsCommand(program: Command, deps: ModelsCommandDeps = defaultDeps): void {
  const models = program
    .command('models')
    .description('list, promote and roll back model versions in the registry');
  const common = (cmd: Command) =>
    cmd
      .option('--model <name>', 'risk | anomaly', 'risk')
      .option('--registry <dir>', 'registry root (default: config models.registryDir)')
      .option('-c, --config <file>', 'JSON config file (default: $RISK_CONFIG_FILE)');

  common(models.command('list').description('versions, newest last, with the current one marked'))
    .option('--json', 'one JSON object per version instead of a table')
    .action(async (opts: CommonOptions & { json?: boolean }) => {
      const { registry, model } = open(opts);
      const entries = await listVersions(registry, model);
      if (opts.json) {
        for (const e of entries) deps.stdout(`${JSON.stringify(e)}\n`);
        return;
      }
      if (entries.length === 0) {
        deps.stdout(`no ${model} versions in ${registry.root}\n`);
        return;
      }
      for (const e of entries) {
        const headline = headlineMetrics(e.metrics);
        deps.stdout(
          `${e.current ? '*' : ' '} ${e.version}  ${e.createdAt ?? '(metadata unreadable)'}  ${headline}${e.gateDecision ? `  ${e.gateDecision.split(':')[0]}` : ''}\n`,
        );
      }
    });

  common(models.command('promote').description('make VERSION current (its bundle is verified first)'))
    .argument('<version>', 'a version listed by `models list`')
    .option('--reason <text>', 'recorded in history.jsonl and the ModelUpdate', 'models promote')
    .action(async (version: string, opts: CommonOptions & { reason: string }) => {
      const { registry, model, config } = open(opts);
      const features = model === 'risk' ? pipelineFeatures(config.windowing.macroIndicators) : null;
      const update = await registryCall(() =>
        promoteVerified(registry, model, version, features, { reason: opts.reason }),
      );
      const sent = await deps.notify(config, update);
      deps.stdout(`${JSON.stringify({ ...update, notified: sent })}\n`);
    });

  common(models.command('rollback').description('undo the promotion that made the current version current'))
    .option('--reason <text>', 'recorded in history.jsonl and the ModelUpdate', 'models rollback')
    .action(async (opts: CommonOptions & { reason: string }) => {
      const { registry, model, config } = open(opts);
      const update = await registryCall(() => registry.rollback(model, { reason: opts.reason }));
      const sent = await deps.notify(config, update);
      deps.stdout(`${JSON.stringify({ ...update, notified: sent })}\n`);
    });
}

export async function listVersions(registry: ModelRegistry, model: RegistryModel): Promise<ModelListEntry[]> {
  const current = await registry.current(model);
  const out: ModelListEntry[] = [];
  for (const version of await registry.versions(model)) {
    const dir = registry.bundleDir(model, version);
    if (model === 'anomaly') {
      const content = await readJson(join(dir, ANOMALY_BUNDLE_FILE), anomalyBundleContentSchema);
      out.push({
        version,
        current: version === current,
        createdAt: content ? new Date(content.createdAt).toISOString() : null,
        metrics: content?.metrics ?? null,
        gateDecision: null,
      });
      continue;
    }
    const meta = await readJson(join(dir, BUNDLE_FILES.metadata), bundleMetadataSchema);
    const gate = meta?.hyperparameters.gateDecision;
    out.push({
      version,
      current: version === current,
      createdAt: meta?.createdAt ?? null,
      metrics: meta?.metrics ?? null,
      gateDecision: typeof gate === 'string' ? gate : null,
    });
  }
  return out;
}

/** Listing is inspection: unreadable metadata is shown as such (promote verifies everything). */
async function readJson<S extends z.ZodType>(path: string, schema: S): Promise<z.infer<S> | null> {
  try {
    const parsed = schema.safeParse(JSON.parse(await readFile(path, 'utf8')));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

function headlineMetrics(metrics: Record<string, number> | null): string {
  if (metrics === null) return '';
  const pick = ['test.rocAuc', 'test.prAuc', 'gate.challengerPrAuc', 'gate.championPrAuc'];
  return pick
    .filter((k) => metrics[k] !== undefined)
    .map((k) => `${k}=${(metrics[k] as number).toFixed(4)}`)
    .join(' ');
}

function open(opts: CommonOptions): { registry: ModelRegistry; model: RegistryModel; config: Config } {
  if (opts.model !== 'risk' && opts.model !== 'anomaly') {
    throw new UsageError(`--model must be risk or anomaly, got ${opts.model}`);
  }
  const config = loadConfig({ file: opts.config });
  return {
    registry: new ModelRegistry(opts.registry ?? config.models.registryDir),
    model: opts.model,
    config,
  };
}

/** An unknown or malformed version is a bad argument (exit 2); other registry errors are failures. */
async function registryCall<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof RegistryError && (err.code === 'UNKNOWN_VERSION' || err.code === 'BAD_VERSION_NAME')) {
      throw new UsageError(err.message);
    }
    throw err;
  }
}
