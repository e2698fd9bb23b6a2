import type { ServiceContext } from '../shared/runtime/service.js';
import type { IngestService } from './framework/ingest-service.js';
import { startMacroConsumer } from './macro/main.js';
import { startNewsConsumer } from './news/main.js';
import { startTicksConsumer } from './ticks/main.js';

export interface IngestServices {
  ticks: IngestService;
  macro: IngestService;
  news: IngestService;
  /** Waits until all three consumed everything on their inputs and flushed open bars. */
  drain(): Promise<void>;
  stop(): Promise<void>;
}

/** The three consumer services in one process (the demo, `replay --to embedded`, tests). */
export async function startIngestServices(ctx: ServiceContext): Promise<IngestServices> {
  const ticks = await startTicksConsumer(ctx);
  const macro = await startMacroConsumer(ctx);
  const news = await startNewsConsumer(ctx);
  const all = [ticks, macro, news];
  return {
    ticks,
    macro,
    news,
    drain: async () => {
      await Promise.all(all.map((s) => s.drain()));
    },
    stop: async () => {
      await Promise.all(all.map((s) => s.stop()));
    },
  };
}
