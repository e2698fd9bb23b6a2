import { startMacroConsumer } from '../ingest/macro/main.js';
import { startNewsConsumer } from '../ingest/news/main.js';
import { startTicksConsumer } from '../ingest/ticks/main.js';
import { startRetrainer } from '../retrainer/main.js';
import { startScorer } from '../scorer/main.js';
import type { ServiceFactory } from '../shared/runtime/service.js';
import { windowingService } from '../windowing/main.js';

/** Every service `risk-monitor run <name>` can start, by name. One line per service. */
export const SERVICES: Record<string, ServiceFactory> = {
  'ticks-consumer': startTicksConsumer,
  'macro-consumer': startMacroConsumer,
  'news-consumer': startNewsConsumer,
  windowing: windowingService,
  scorer: (ctx) => startScorer(ctx),
  retrainer: (ctx) => startRetrainer(ctx),
};
