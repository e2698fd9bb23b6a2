import {
  asyncScheduler,
  BehaviorSubject,
  defer,
  finalize,
  from,
  map,
  merge,
  type Observable,
  type SchedulerLike,
  switchMap,
  tap,
} from 'rxjs';
import { type DeadLetters, DeadLetterWriter } from '../shared/bus/dead-letter.js';
import type { Sink, Source } from '../shared/bus/transport.js';
import { joinMaxHeldOf, type WindowingConfig } from '../shared/config/windowing-config.js';
import type { SequenceBatch } from '../shared/contracts/sequence-batch.js';
import type { ServiceContext } from '../shared/runtime/service.js';
import { asOfJoin } from './as-of-join.js';
import { decodeFeatures } from './decode-features.js';
import { markMacroBootstrap } from './macro-bootstrap.js';
import { microBatch } from './micro-batch.js';
import { assertScalerMatches, normalise, type ScalerUpdate } from './normalise.js';
import { rebuildOnAssign, toPartitionChange } from './rebuild-on-assign.js';
import { ringWindow, type WindowSnapshot } from './ring-window.js';
import type { RunningStatsSnapshot } from './running-stats.js';
import { RunningStatsFile } from './running-stats-file.js';
import type { SourceEvent } from './windowing-events.js';
import { WindowingMetrics, type WindowingStats } from './windowing-metrics.js';

export interface WindowingPipelineOptions {
  /** Overrides of config.windowing (tests, benchmarks). */
  windowing?: Partial<WindowingConfig>;
  /** Where undecodable feature records go; defaults to a DeadLetter producer on topics.dlq. */
  deadLetters?: DeadLetters;
  /** The model bundle's scaler, when one is loaded before the stage starts. */
  scaler?: ScalerUpdate;
  /** Timers and the wall clock of the join's waits and the micro-batch delay. */
  scheduler?: SchedulerLike;
  /** Consumer group; default `${kafka.groupIdPrefix}.windowing`. */
  groupId?: string;
}

export interface WindowingPipeline {
  /**
   * Sequence batches for the scorer. Subscribing starts the stage (joins the group, reads the
   * macro table); unsubscribing stops it and saves the running statistics. Subscribe once. Every
   * meta.ack must be called when the row is scored: the consumer pauses at maxInFlight un-acked.
   */
  readonly batches$: Observable<SequenceBatch>;
  /** Swaps the scaler from the next batch on (a model bundle's), or null for running statistics. Throws when its feature lists differ. */
  setScaler(update: ScalerUpdate | null): void;
  stats(): WindowingStats;
  /** The windows held now, by symbol (debugging and the rebalance test). */
  windows(): WindowSnapshot[];
  /** True once the macro table is bootstrapped. */
  ready(): boolean;
  /** Settles when the sources of the last subscription are closed (after unsubscribing). */
  whenClosed(): Promise<void>;
}

/** The windowing stage wired to a transport: feature topics in, scaled sequence batches out. */
export function createWindowingPipeline(
  ctx: ServiceContext,
  options: WindowingPipelineOptions = {},
): WindowingPipeline {
  const cfg: WindowingConfig = { ...ctx.config.windowing, ...options.windowing };
  const t = ctx.config.topics;
  const topics = {
    market: t.featuresMarket.name,
    sentiment: t.featuresSentiment.name,
    macro: t.featuresMacro.name,
  };
  const groupId = options.groupId ?? `${ctx.config.kafka.groupIdPrefix}.windowing`;
  const scheduler = options.scheduler ?? asyncScheduler;
  const metrics = new WindowingMetrics(ctx.metrics);
  const log = ctx.logger.child({ stage: 'windowing' });
  const indicators = cfg.macroIndicators;
  if (options.scaler) assertScalerMatches(options.scaler.params, indicators);
  const scaler$ = new BehaviorSubject<ScalerUpdate | null>(options.scaler ?? null);
  let snapshotWindows: () => WindowSnapshot[] = () => [];
  let running = false;
  let closed: Promise<void> = Promise.resolve();

  const statsFile = new RunningStatsFile(cfg.stateDir);
  const loadStats = (): RunningStatsSnapshot | undefined => {
    try {
      return statsFile.load();
    } catch (err) {
      log.warn({ err: (err as Error).message }, 'running statistics not loaded; starting afresh');
      return undefined;
    }
  };
  const saveStats = (s: RunningStatsSnapshot) => {
    try {
      statsFile.save(s);
    } catch (err) {
      log.warn({ err: (err as Error).message, path: statsFile.path }, 'running statistics not saved');
    }
  };

  const start = async () => {
    await ctx.transport.ensureTopics([
      { name: topics.market, partitions: t.featuresMarket.partitions },
      { name: topics.sentiment, partitions: t.featuresSentiment.partitions },
      { name: topics.macro, partitions: t.featuresMacro.partitions, compacted: true },
      { name: t.dlq.name, partitions: t.dlq.partitions },
    ]);
    const macroHighs = await ctx.transport.offsets(topics.macro);
    return { macroHighs, initialStats: loadStats() };
  };

  const batches$ = defer(() => {
    if (running) throw new Error('windowing batches$ is already subscribed: subscribe once and share it');
    running = true;
    const sources: Source[] = [];
    let sink: Sink | undefined;
    let deadLetters = options.deadLetters;
    if (!deadLetters) {
      sink = ctx.transport.sink();
      deadLetters = new DeadLetterWriter({
        sink,
        codec: ctx.codec,
        topic: t.dlq.name,
        service: 'windowing',
        now: ctx.now,
        registry: ctx.metrics,
      });
    }
    return from(start()).pipe(
      switchMap(({ macroHighs, initialStats }) => {
        const group = ctx.transport.source({
          groupId,
          topics: [topics.market, topics.sentiment],
          fromBeginning: true,
          maxInFlight: cfg.maxInFlight,
        });
        const macro = ctx.transport.source({
          groupId: `${groupId}.macro`,
          topics: [topics.macro],
          global: true,
        });
        const marketWide = ctx.transport.source({
          groupId: `${groupId}.market-wide`,
          topics: [topics.sentiment],
          global: true,
        });
        sources.push(group, macro, marketWide);
        const group$: Observable<SourceEvent> = merge(
          group.rebalances$.pipe(
            map((e) => {
              log.info({ type: e.type, assignments: e.assignments }, 'partitions %s', e.type);
              return toPartitionChange(e, topics);
            }),
          ),
          group.records$.pipe(
            map((record): SourceEvent => ({ kind: 'record', record, scope: 'group', replay: false })),
          ),
        ).pipe(
          rebuildOnAssign({
            transport: ctx.transport,
            topics,
            maxRecords: cfg.rebuildMaxRecords,
            metrics,
            now: ctx.now,
            onRebuilt: (info) => log.info(info, 'rebuilt state from %s', info.topic),
          }),
        );
        const macro$ = macro.records$.pipe(
          markMacroBootstrap(macroHighs, cfg.macroBootstrapTimeoutMs, scheduler),
          tap((e) => {
            if (e.kind !== 'macro-bootstrapped') return;
            if (e.timedOut)
              log.warn(
                { timeoutMs: cfg.macroBootstrapTimeoutMs },
                'macro table not at its high watermark in time; joining anyway',
              );
            else log.info('macro table bootstrapped');
          }),
        );
        const marketWide$ = marketWide.records$.pipe(
          map((record): SourceEvent => ({ kind: 'record', record, scope: 'global', replay: false })),
        );
        return merge(macro$, marketWide$, group$).pipe(
          decodeFeatures({
            codec: ctx.codec,
            topics,
            deadLetters,
            metrics,
            onSkipped: (r, code, message) =>
              log.warn({ topic: r.topic, partition: r.partition, offset: r.offset, code }, message),
          }),
          asOfJoin({
            indicators,
            joinIdleMs: cfg.joinIdleMs,
            joinMaxWaitMs: cfg.joinMaxWaitMs,
            joinMaxHeld: joinMaxHeldOf(cfg),
            idleEvictMs: cfg.idleEvictMs,
            sentimentHistoryPerKey: cfg.sentimentHistoryPerKey,
            scheduler,
            metrics,
          }),
          ringWindow({ seqLen: cfg.seqLen, idleEvictMs: cfg.idleEvictMs, metrics }, (snapshot) => {
            snapshotWindows = snapshot;
          }),
          normalise({
            indicators,
            clip: cfg.clip,
            scaler$,
            ...(initialStats ? { initialStats } : {}),
            saveStats,
            saveEveryMs: cfg.statsSnapshotMs,
            scheduler,
            metrics,
            onStatsIgnored: (reason) => log.warn(reason),
          }),
          microBatch({
            maxSize: cfg.batchMaxSize,
            maxDelayMs: cfg.batchMaxDelayMs,
            indicators,
            scheduler,
            metrics,
          }),
        );
      }),
      finalize(() => {
        running = false;
        closed = Promise.all([...sources.map((s) => s.close()), sink?.close()]).then(
          () => {},
          (err: unknown) => log.warn({ err: (err as Error).message }, 'closing the windowing sources failed'),
        );
      }),
    );
  });

  return {
    batches$,
    setScaler(update) {
      if (update) assertScalerMatches(update.params, indicators);
      scaler$.next(update);
      log.info({ scaler: update?.id ?? 'running' }, 'scaler set');
    },
    stats: () => ({ ...metrics.stats }),
    windows: () => snapshotWindows(),
    ready: () => metrics.stats.macroBootstrapped,
    whenClosed: () => closed,
  };
}
