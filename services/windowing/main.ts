import type { RunningService, ServiceFactory } from '../shared/runtime/service.js';
import { createWindowingPipeline, type WindowingPipelineOptions } from './windowing-pipeline.js';

export {
  decaySentiment,
  joinBar,
  MARKET_WIDE_KEY,
  macroVectorAsOf,
  sentimentVectorAsOf,
} from './feature-join.js';
export { MacroTable } from './macro-table.js';
export type { ScalerUpdate } from './normalise.js';
export { SentimentBook } from './sentiment-book.js';
export {
  createWindowingPipeline,
  type WindowingPipeline,
  type WindowingPipelineOptions,
} from './windowing-pipeline.js';

/**
 * `run windowing`: the stage on its own, for debugging and benchmarks. Batches are acked as soon
 * as they arrive (no scorer), and their statistics are logged every windowing.logEveryMs. In the
 * full pipeline the scorer consumes createWindowingPipeline(ctx).batches$ in the same process.
 */
export function windowingServiceWith(options: WindowingPipelineOptions = {}): ServiceFactory {
  return async (ctx) => {
    const pipeline = createWindowingPipeline(ctx, options);
    const log = ctx.logger.child({ service: 'windowing' });
    const every = options.windowing?.logEveryMs ?? ctx.config.windowing.logEveryMs;
    let batches = 0;
    let rows = 0;
    let lastLog = ctx.now();
    const report = () => {
      const now = ctx.now();
      const seconds = Math.max(1e-3, (now - lastLog) / 1000);
      log.info(
        { batches, sequences: rows, perSecond: Math.round(rows / seconds), ...pipeline.stats() },
        'windowing batches',
      );
      batches = 0;
      rows = 0;
      lastLog = now;
    };
    const interval = setInterval(report, every);
    interval.unref();

    let settle!: { resolve: () => void; reject: (err: unknown) => void };
    const done = new Promise<void>((resolve, reject) => {
      settle = { resolve, reject };
    });
    // The caller may only look at `done` later; an early failure must not be an unhandled rejection.
    done.catch(() => {});
    const subscription = pipeline.batches$.subscribe({
      next: (batch) => {
        batches++;
        rows += batch.size;
        for (const m of batch.meta) m.ack();
      },
      error: (err: unknown) => {
        clearInterval(interval);
        log.error({ err }, 'windowing failed');
        settle.reject(err);
      },
      complete: () => {
        clearInterval(interval);
        settle.resolve();
      },
    });
    const service: RunningService = {
      name: 'windowing',
      ready: () => pipeline.ready(),
      stop: async () => {
        clearInterval(interval);
        subscription.unsubscribe();
        await pipeline.whenClosed();
        report();
        settle.resolve();
      },
      done,
    };
    return service;
  };
}

export const windowingService: ServiceFactory = windowingServiceWith();
