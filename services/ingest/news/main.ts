import type { ServiceContext } from '../../shared/runtime/service.js';
import { type IngestService, startIngestService } from '../framework/ingest-service.js';
import { newsFeed } from './news-feed.js';

/** The news consumer (a ServiceFactory): news.sentiment -> decayed sentiment state per symbol and "*". */
export async function startNewsConsumer(ctx: ServiceContext): Promise<IngestService> {
  return startIngestService(ctx, newsFeed(ctx.config, ctx.codec, ctx.now));
}
