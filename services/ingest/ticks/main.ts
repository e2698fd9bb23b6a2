import type { ServiceContext } from '../../shared/runtime/service.js';
import { IngestMetrics } from '../framework/ingest-metrics.js';
import { type IngestService, startIngestService } from '../framework/ingest-service.js';
import { TICKS_SERVICE, tickFeed } from './tick-feed.js';

/** The ticks consumer (a ServiceFactory): market.ticks -> event-time bars with market features. */
export async function startTicksConsumer(ctx: ServiceContext): Promise<IngestService> {
  const metrics = new IngestMetrics(ctx.metrics, TICKS_SERVICE);
  const onFilled = (n: number) => metrics.filledBars.inc({ service: TICKS_SERVICE }, n);
  return startIngestService(ctx, tickFeed(ctx.config, ctx.codec, ctx.now, onFilled));
}
