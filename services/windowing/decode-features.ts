import { Observable, type OperatorFunction } from 'rxjs';
import type { DeadLetters } from '../shared/bus/dead-letter.js';
import type { InboundRecord } from '../shared/bus/transport.js';
import type { Codec } from '../shared/codec/codec.js';
import { CodecError } from '../shared/codec/codec-error.js';
import type { MacroFeature, MarketBar, SentimentFeature } from '../shared/contracts/records.js';
import { MARKET_WIDE_KEY } from './feature-join.js';
import type { FeatureEvent, RecordEvent, SourceEvent } from './windowing-events.js';
import { WindowingMetrics } from './windowing-metrics.js';

export interface FeatureTopics {
  market: string;
  sentiment: string;
  macro: string;
}

export interface DecodeFeaturesOptions {
  codec: Codec;
  topics: FeatureTopics;
  deadLetters: DeadLetters;
  metrics?: WindowingMetrics;
  /**
   * A bad record that is not dead-lettered: read back for a rebuild (its owner dead-lettered it
   * when it was live) or from a global reader (every instance reads it; one DLQ entry per instance
   * and restart would be noise). It is only reported here.
   */
  onSkipped?: (record: InboundRecord, code: string, message: string) => void;
}

const MARKET_WIDE = Buffer.from(MARKET_WIDE_KEY);

/** Semantic checks the schema cannot express; a message says what was expected and what came. */
function barProblem(b: MarketBar): string | undefined {
  if (b.symbol.length === 0) return 'expected a non-empty symbol';
  if (!Number.isFinite(b.barEnd) || !Number.isFinite(b.barStart) || b.barEnd <= b.barStart)
    return `expected barStart < barEnd, got ${b.barStart} .. ${b.barEnd}`;
  return undefined;
}

function sentimentProblem(s: SentimentFeature): string | undefined {
  if (s.symbol.length === 0) return 'expected a symbol or *';
  if (!Number.isFinite(s.asOf)) return `expected a finite asOf, got ${s.asOf}`;
  if (!(s.halfLifeMs > 0)) return `expected halfLifeMs > 0, got ${s.halfLifeMs}`;
  return undefined;
}

function macroProblem(m: MacroFeature): string | undefined {
  if (m.indicatorId.length === 0) return 'expected a non-empty indicatorId';
  if (!Number.isFinite(m.releaseTime)) return `expected a finite releaseTime, got ${m.releaseTime}`;
  return undefined;
}

type Outcome = { event?: FeatureEvent; problem?: { code: string; message: string }; learn?: Buffer };

/**
 * The decoding and routing edge: feature records in, typed events out; partition changes and the
 * macro bootstrap marker pass through in order. A live record of this instance's partitions that
 * cannot be decoded, or decodes to nonsense, is dead-lettered with its bytes and acked once the
 * DLQ write resolves. Market-wide sentiment (key *) comes only from the global reader: its copy
 * on the group stream is acked and dropped, and the global reader skips every other key.
 * A record whose writer schema is unknown waits for the codec to learn it (schema registry), and
 * so do the records behind it, which keeps order.
 */
export function decodeFeatures(options: DecodeFeaturesOptions): OperatorFunction<SourceEvent, FeatureEvent> {
  const { codec, topics, deadLetters } = options;
  const metrics = options.metrics ?? new WindowingMetrics();

  const decode = (e: RecordEvent, learned: boolean): Outcome => {
    const r = e.record;
    const value = r.value;
    try {
      if (r.topic === topics.market) {
        if (value === null)
          return { problem: { code: 'empty_value', message: 'expected a MarketBar, got a null value' } };
        const bar = codec.decode('MarketBar', value);
        const problem = barProblem(bar);
        if (problem)
          return { problem: { code: 'invalid_feature', message: `MarketBar ${bar.id}: ${problem}` } };
        metrics.recordIn('bar', e.replay);
        return { event: { kind: 'bar', bar, partition: r.partition, replay: e.replay, ack: () => r.ack() } };
      }
      if (r.topic === topics.sentiment) {
        if (e.scope === 'global' && r.key !== null && !r.key.equals(MARKET_WIDE)) return {};
        if (value === null)
          return {
            problem: { code: 'empty_value', message: 'expected a SentimentFeature, got a null value' },
          };
        const feature = codec.decode('SentimentFeature', value);
        const problem = sentimentProblem(feature);
        if (problem)
          return {
            problem: { code: 'invalid_feature', message: `SentimentFeature ${feature.id}: ${problem}` },
          };
        const marketWide = feature.symbol === MARKET_WIDE_KEY;
        if (marketWide !== (e.scope === 'global')) return {};
        metrics.recordIn('sentiment', e.replay);
        return {
          event: {
            kind: 'sentiment',
            feature,
            partition: marketWide ? 'global' : r.partition,
            ack: () => r.ack(),
          },
        };
      }
      if (r.topic === topics.macro) {
        if (value === null) {
          const key = r.key?.toString('utf8') ?? '';
          return { event: { kind: 'macro-tombstone', key, ack: () => r.ack() } };
        }
        const feature = codec.decode('MacroFeature', value);
        const problem = macroProblem(feature);
        if (problem) return { problem: { code: 'invalid_feature', message: `MacroFeature: ${problem}` } };
        metrics.recordIn('macro', e.replay);
        return { event: { kind: 'macro', feature, ack: () => r.ack() } };
      }
      return {
        problem: {
          code: 'unknown_topic',
          message: `expected a record of ${topics.market}, ${topics.sentiment} or ${topics.macro}, got one of ${r.topic}`,
        },
      };
    } catch (err) {
      if (!(err instanceof CodecError)) throw err;
      if (
        !learned &&
        value !== null &&
        (err.code === 'unknown_fingerprint' || err.code === 'unknown_schema_id')
      )
        return { learn: value };
      return { problem: { code: err.code, message: err.message } };
    }
  };

  return (source) =>
    new Observable<FeatureEvent>((subscriber) => {
      const queue: SourceEvent[] = [];
      let learning = false;
      let learnedHead = false;
      let upstreamDone = false;

      /** Handles one event; false when it must wait for the codec to learn a schema. */
      const handle = (e: SourceEvent, learned: boolean): boolean => {
        if (e.kind !== 'record') {
          subscriber.next(e);
          return true;
        }
        const out = decode(e, learned);
        if (out.learn) {
          learning = true;
          codec.learn(out.learn).then(
            () => {
              learning = false;
              learnedHead = true;
              drain();
            },
            (err: unknown) => subscriber.error(err),
          );
          return false;
        }
        if (out.event) subscriber.next(out.event);
        else if (out.problem) reject(e, out.problem.code, out.problem.message);
        else e.record.ack();
        return true;
      };

      const reject = (e: RecordEvent, code: string, message: string) => {
        if (e.replay || e.scope === 'global') {
          options.onSkipped?.(e.record, code, message);
          e.record.ack();
          return;
        }
        metrics.deadLetter(code);
        deadLetters.write(e.record, code, message).then(
          () => e.record.ack(),
          (err: unknown) => subscriber.error(err),
        );
      };

      const drain = () => {
        while (!learning && queue.length > 0) {
          const learned = learnedHead;
          learnedHead = false;
          try {
            if (!handle(queue[0] as SourceEvent, learned)) return;
          } catch (err) {
            subscriber.error(err);
            return;
          }
          queue.shift();
        }
        if (upstreamDone && queue.length === 0 && !learning) subscriber.complete();
      };

      const sub = source.subscribe({
        next: (e) => {
          try {
            // Fast path; when handle() starts learning for e, e becomes the head of the queue.
            if (!learning && queue.length === 0 && handle(e, false)) return;
            queue.push(e);
          } catch (err) {
            subscriber.error(err);
          }
        },
        error: (err: unknown) => subscriber.error(err),
        complete: () => {
          upstreamDone = true;
          drain();
        },
      });
      return () => sub.unsubscribe();
    });
}
