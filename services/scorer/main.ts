import { Subject, type Subscription, tap } from 'rxjs';
import { ModelRegistry, type RegistryModel } from '../models/registry/model-registry.js';
import { DEFAULT_VAR_ADAPTATION } from '../models/risk/adaptive-var-scale.js';
import { selectTfBackend } from '../models/runtime/tf-backend.js';
import type { WindowingConfig } from '../shared/config/windowing-config.js';
import { InfluxSink } from '../shared/influx/influx-sink.js';
import type { RunningService, ServiceContext } from '../shared/runtime/service.js';
import { createWindowingPipeline } from '../windowing/windowing-pipeline.js';
import { alertPolicy } from './alert-policy.js';
import { type LoadedScoringModels, loadScoringModels } from './bundle-scoring-models.js';
import { groupAlerts } from './group-alerts.js';
import { ModelHolder } from './model-holder.js';
import { pipelineFeatures } from './pipeline-features.js';
import { scoreBatches } from './score-batches.js';
import type { Emission } from './scored-item.js';
import { ScorerMetrics } from './scorer-metrics.js';
import { varAdaptation } from './var-adaptation.js';
import { writeEmissions } from './write-emissions.js';

export interface ScorerOptions {
  /** Registry to serve from; default config.models.registryDir. */
  registry?: ModelRegistry;
  /** Sees every emission after it is stored (the demo's view, tests). */
  onEmission?: (em: Emission) => void;
  /** Overrides of config.windowing (tests, the demo). */
  windowing?: Partial<WindowingConfig>;
  /**
   * Models to start with instead of the registry's current bundles (benchmarks, which must not
   * depend on a trained bundle); hot swaps still come from the registry.
   */
  models?: LoadedScoringModels;
}

export interface ScorerService extends RunningService {
  /** Versions being served now. */
  versions(): { risk: string; anomaly: string };
  /** Loads the registry's current bundles and swaps them in between batches; false if refused. */
  reload(reason: string): Promise<boolean>;
}

/**
 * The scorer: the windowing stage's tensor batches -> both models -> alert policy -> grouping ->
 * risk.scores / risk.alerts / anomaly.alerts (+ InfluxDB) -> acks back to the feature topics.
 * Windowing runs in this process because its output is in-memory tensors. Models come only from
 * verified registry bundles; a new current version (pointer change or a ModelUpdate record) is
 * hot-swapped between batches, and a bundle that fails to load leaves the old one serving.
 */
export async function startScorer(ctx: ServiceContext, options: ScorerOptions = {}): Promise<ScorerService> {
  const { config, logger } = ctx;
  await selectTfBackend(config.models.backend, { logger, metrics: ctx.metrics });
  const registry = options.registry ?? new ModelRegistry(config.models.registryDir);
  const features = pipelineFeatures(config.windowing.macroIndicators);
  const serving = { runtime: config.models.riskRuntime, onnxThreads: config.models.onnxThreads, logger };
  const loaded = options.models ?? (await loadScoringModels(registry, features, config.scorer, {}, serving));
  const metrics = new ScorerMetrics(ctx.metrics);
  const holder = new ModelHolder(loaded.models);
  metrics.setVersions(loaded.models.riskVersion, loaded.models.anomalyVersion);
  logger.info(
    { risk: loaded.models.riskVersion, anomaly: loaded.models.anomalyVersion, seqLen: loaded.seqLen },
    'scorer models loaded',
  );

  const windowing = createWindowingPipeline(ctx, {
    windowing: { ...options.windowing, seqLen: loaded.seqLen },
    scaler: { id: loaded.models.riskVersion, params: loaded.scaler },
  });
  const influx = config.influx.enabled
    ? new InfluxSink({ config: config.influx, registry: ctx.metrics, logger })
    : undefined;
  const sink = ctx.transport.sink();
  const { scorer } = config;

  let reloading = Promise.resolve(true);
  const reload = (reason: string): Promise<boolean> => {
    reloading = reloading.then(async () => {
      try {
        const next = await loadScoringModels(registry, features, scorer, {}, serving);
        const current = holder.current;
        if (
          next.models.riskVersion === current.riskVersion &&
          next.models.anomalyVersion === current.anomalyVersion
        ) {
          next.models.dispose();
          return true;
        }
        if (next.seqLen !== loaded.seqLen) {
          next.models.dispose();
          throw new Error(
            `window length changed from ${loaded.seqLen} to ${next.seqLen}: restart the scorer`,
          );
        }
        // Scaler first, then models: both take effect from the next batch on.
        windowing.setScaler({ id: next.models.riskVersion, params: next.scaler });
        holder.swap(next.models);
        metrics.setVersions(next.models.riskVersion, next.models.anomalyVersion);
        logger.info(
          { reason, risk: next.models.riskVersion, anomaly: next.models.anomalyVersion },
          'models swapped',
        );
        return true;
      } catch (err) {
        metrics.swapErrors.inc({ model: 'risk' });
        logger.error(
          { reason, err: (err as Error).message },
          'model swap refused; the previous models keep serving',
        );
        return false;
      }
    });
    return reloading;
  };

  const watches = (['risk', 'anomaly'] as RegistryModel[]).map((m) =>
    registry.watch(m, (v) => void reload(`registry ${m} CURRENT -> ${v}`), config.models.watchPollMs),
  );
  // ModelUpdate records (from the retrainer or `models promote` elsewhere) trigger the same reload.
  await ctx.transport.ensureTopics([config.topics.modelUpdates]);
  const updates = ctx.transport.source({
    groupId: `${config.kafka.groupIdPrefix}.scorer-model-updates`,
    topics: [config.topics.modelUpdates.name],
    global: true,
  });
  const updateSub = updates.records$.subscribe((r) => {
    try {
      const u = ctx.codec.decode('ModelUpdate', r.value ?? Buffer.alloc(0));
      // Reloading is idempotent: an old update (read again from the start) changes nothing.
      void reload(`ModelUpdate ${u.model} ${u.version}`);
    } catch (err) {
      logger.warn({ err: (err as Error).message }, 'ignoring an undecodable ModelUpdate record');
    }
    r.ack();
  });

  const ended = new Subject<void>();
  let failed: Error | undefined;
  const sub: Subscription = windowing.batches$
    .pipe(
      scoreBatches({
        holder,
        explanationTopK: scorer.explanationTopK,
        explainAbove: () => holder.current.ladders.risk.enter.INFO,
        now: ctx.now,
        observe: (size, seconds) => metrics.observeBatch(size, seconds),
      }),
      varAdaptation({
        gamma: scorer.varAdaptationGamma,
        maxLogScale: DEFAULT_VAR_ADAPTATION.maxLogScale,
        horizonBars: () => holder.current.riskHorizonBars,
        onScale: (scales) => metrics.observeVarScale(scales),
      }),
      alertPolicy({
        ladders: () => holder.current.ladders,
        cooldownMs: scorer.cooldownBars * config.ingest.barIntervalMs,
        varHorizonBars: holder.current.riskHorizonBars,
        varBreachEnabled: scorer.varBreachAlerts,
        dedupeCapacity: scorer.dedupeCapacity,
        now: ctx.now,
      }),
      groupAlerts({
        minSymbols: scorer.groupMinSymbols,
        holdMs: scorer.groupHoldMs,
        explanationTopK: scorer.explanationTopK,
        now: ctx.now,
      }),
      writeEmissions({ sink, codec: ctx.codec, topics: config.topics, influx }),
      tap((em) => {
        metrics.observeEmission(em);
        options.onEmission?.(em);
      }),
    )
    .subscribe({
      error: (err: Error) => {
        failed = err;
        logger.error({ err: err.message }, 'scorer pipeline failed');
        ended.complete();
      },
      complete: () => ended.complete(),
    });
  const done = new Promise<void>((resolve, reject) =>
    ended.subscribe({ complete: () => (failed ? reject(failed) : resolve()) }),
  );
  done.catch(() => {});

  let stopped = false;
  return {
    name: 'scorer',
    ready: () => windowing.ready(),
    versions: () => ({ risk: holder.current.riskVersion, anomaly: holder.current.anomalyVersion }),
    reload,
    done,
    async stop() {
      if (stopped) return;
      stopped = true;
      for (const w of watches) w.close();
      updateSub.unsubscribe();
      sub.unsubscribe();
      await windowing.whenClosed();
      await reloading;
      await influx?.close();
      await sink.close();
      await updates.close();
      holder.current.dispose();
      ended.complete();
    },
  };
}
