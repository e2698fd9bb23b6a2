import { currentCodeVersion } from '../models/bundle/code-version.js';
import { ModelRegistry } from '../models/registry/model-registry.js';
import type { RunningService, ServiceContext } from '../shared/runtime/service.js';
import type { CycleRequest, CycleRunner } from './cycle-request.js';
import { modelUpdateSender } from './model-update-sender.js';
import type { CycleTrigger, RetrainCycleResult } from './retrain-cycle.js';
import { type RetrainData, retrainDataFromTransport } from './retrain-data.js';
import { fullCycleDue, nextDue, parseSchedule, type ScheduleState } from './retrain-schedule.js';
import { RetrainerMetrics } from './retrainer-metrics.js';
import { workerCycleRunner } from './worker-cycle-runner.js';

export interface RetrainerOptions {
  /** Runs one cycle; default: a fresh worker thread per cycle. Tests pass an in-thread runner. */
  runCycle?: CycleRunner;
  /** Where the recent bars come from; default: the feature topics read back from the transport. */
  loadData?: () => Promise<RetrainData>;
  /** Sees every finished cycle (tests, the CLI). */
  onCycle?: (result: RetrainCycleResult | Error, trigger: CycleTrigger) => void;
}

export interface RetrainerService extends RunningService {
  /** Runs a cycle now (after any running one) and resolves with its result. */
  runNow(trigger: CycleTrigger): Promise<RetrainCycleResult>;
}

/**
 * The retraining sidecar: on its interval, or when a periodic drift check finds PSI at the
 * retrain level, it reads the recent feature history, fine-tunes the champion in a worker thread
 * (the event loop stays free for metrics and signals), publishes the challenger and, if the gate
 * passes, promotes it and sends the ModelUpdate to the model-updates topic. One cycle at a time.
 */
export async function startRetrainer(
  ctx: ServiceContext,
  options: RetrainerOptions = {},
): Promise<RetrainerService> {
  const { config, logger } = ctx;
  const settings = config.retrainer;
  const schedule = parseSchedule(settings);
  const registry = new ModelRegistry(config.models.registryDir);
  const metrics = new RetrainerMetrics(ctx.metrics, ctx.now);
  const worker = options.runCycle ? null : workerCycleRunner();
  const runCycle: CycleRunner = options.runCycle ?? (worker as ReturnType<typeof workerCycleRunner>).run;
  const loadData = options.loadData ?? (() => retrainDataFromTransport(ctx.transport, ctx.codec, config));
  await ctx.transport.ensureTopics([config.topics.modelUpdates]);
  const sink = ctx.transport.sink();
  const sendUpdate = modelUpdateSender(sink, ctx.codec, config.topics.modelUpdates.name);
  const code = currentCodeVersion();

  const refreshChampion = async () => {
    const version = await registry.current('risk');
    if (version === null) return;
    const moved = (await registry.history('risk')).findLast((u) => u.version === version);
    metrics.setChampion(version, moved?.time ?? null);
  };
  await refreshChampion();

  const state: ScheduleState = { startedAt: ctx.now(), lastCycleAt: null, lastDriftCheckAt: null };
  let running: Promise<unknown> = Promise.resolve();
  let stopped = false;
  let timer: NodeJS.Timeout | null = null;

  // Training cycles run by this process, for the every-Nth full cycle (fullCycleEvery).
  let trainedCycles = 0;
  const cycle = async (trigger: CycleTrigger): Promise<RetrainCycleResult> => {
    const nowMs = ctx.now();
    const requireDrift = trigger === 'drift';
    const kind = fullCycleDue(settings.fullCycleEvery, trainedCycles) ? 'full' : 'fine-tune';
    try {
      const data = await loadData();
      const request: CycleRequest = {
        data,
        registryDir: registry.root,
        backend: config.models.backend,
        trigger,
        kind,
        requireDrift,
        settings,
        nowMs,
        code,
      };
      const result = await runCycle(request, (event) => {
        if (event.kind === 'epoch' || event.kind === 'done') logger.info({ trigger, ...event }, 'retraining');
      });
      if (result.challenger) trainedCycles++;
      for (const u of result.updates) await sendUpdate(u);
      metrics.cycles.inc({ trigger, outcome: result.outcome });
      metrics.observeDrift(result.drift);
      // Both models of the pair: the CPU the cycle took from the scorer.
      if (result.challenger)
        metrics.trainingDuration.observe(result.trainingSeconds + (result.anomaly?.trainingSeconds ?? 0));
      logger.info(
        {
          trigger,
          kind: result.kind,
          outcome: result.outcome,
          champion: result.champion.version,
          challenger: result.challenger?.version ?? null,
          drift: result.drift.worst,
          reasons: result.gate?.reasons ?? [],
        },
        'retraining cycle finished',
      );
      options.onCycle?.(result, trigger);
      return result;
    } catch (err) {
      metrics.cycles.inc({ trigger, outcome: 'failed' });
      logger.error(
        { trigger, err: (err as Error).message },
        'retraining cycle failed; the champion keeps serving',
      );
      options.onCycle?.(err as Error, trigger);
      throw err;
    } finally {
      if (trigger !== 'drift') state.lastCycleAt = nowMs;
      state.lastDriftCheckAt = nowMs;
      await refreshChampion().catch(() => {});
    }
  };

  const enqueue = (trigger: CycleTrigger): Promise<RetrainCycleResult> => {
    const next = running.then(() => cycle(trigger));
    running = next.catch(() => {});
    return next;
  };

  const arm = () => {
    if (stopped) return;
    const due = nextDue(schedule, state, ctx.now());
    if (due.trigger === null) {
      // Timers cap at ~24.8 days; re-arming after a bounded wait covers longer intervals.
      timer = setTimeout(arm, Math.min(due.waitMs, 2 ** 30));
      return;
    }
    enqueue(due.trigger === 'schedule' ? 'schedule' : 'drift')
      .catch(() => {})
      .finally(arm);
  };
  arm();
  logger.info(
    {
      cron: schedule.cron,
      intervalMs: schedule.cron ? null : schedule.intervalMs,
      driftCheckMs: schedule.driftCheckMs,
      fullCycleEvery: settings.fullCycleEvery,
      registry: registry.root,
    },
    'retrainer started',
  );

  let resolveDone: () => void = () => {};
  const done = new Promise<void>((resolve) => {
    resolveDone = resolve;
  });
  return {
    name: 'retrainer',
    ready: () => !stopped,
    done,
    runNow: enqueue,
    async stop() {
      if (stopped) return;
      stopped = true;
      if (timer) clearTimeout(timer);
      await worker?.terminate();
      await running;
      await sink.close();
      resolveDone();
    },
  };
}
