import type { ServiceContext } from '../../shared/runtime/service.js';
import { type IngestService, startIngestService } from '../framework/ingest-service.js';
import { macroFeed } from './macro-feed.js';

/** The macro consumer (a ServiceFactory): macro.indicators -> per-release MacroFeatures. */
export async function startMacroConsumer(ctx: ServiceContext): Promise<IngestService> {
  return startIngestService(ctx, macroFeed(ctx.config, ctx.codec, ctx.now));
}
