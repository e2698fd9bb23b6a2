import type { Codec } from '../../shared/codec/codec.js';
import type { Config } from '../../shared/config/config-schema.js';
import { KeyDeduplicator } from '../framework/deduplicator.js';
import type { FeedDefinition } from '../framework/feed-definition.js';
import { MacroTransform } from './macro-transform.js';
import { validateMacro } from './macro-validation.js';

export const MACRO_SERVICE = 'macro-consumer';

/** macro.indicators -> risk.features.macro (compacted, key indicatorId|periodEnd). */
export function macroFeed(config: Config, codec: Codec, now: () => number): FeedDefinition<'MacroIndicator'> {
  const { ingest, topics } = config;
  const bounds = { now, maxClockSkewMs: ingest.maxClockSkewMs, horizon: Date.parse(ingest.horizonTime) };
  const allowList = new Set(ingest.indicatorAllowList);
  return {
    service: MACRO_SERVICE,
    recordName: 'MacroIndicator',
    input: { ...topics.macro },
    outputs: [{ ...topics.featuresMacro, compacted: true }],
    validate: (m) => validateMacro(m, bounds, allowList),
    createDeduplicator: () =>
      new KeyDeduplicator((m) => `${m.indicatorId}|${m.periodEnd}|${m.releaseTime}`, ingest.dedupeCapacity),
    eventTimeOf: (m) => m.releaseTime,
    createTransform: () =>
      new MacroTransform(
        { window: ingest.macroWindow, minHistory: ingest.macroMinHistory },
        codec,
        topics.featuresMacro.name,
      ),
  };
}
