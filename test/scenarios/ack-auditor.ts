import { map } from 'rxjs';
import type {
  InboundRecord,
  Sink,
  Source,
  SourceOptions,
  Transport,
} from '../../services/shared/bus/transport.js';
import type { Codec } from '../../services/shared/codec/codec.js';
import type { Config } from '../../services/shared/config/config-schema.js';

/**
 * Wraps a transport and checks, at every ack, that what the acked input derives is already stored:
 * its bar / sentiment feature / macro feature or its dead letter; a duplicate (same dedupe key as
 * an earlier input) derives nothing. Because commits only move over acked records, this is the
 * "offsets are committed only after outputs exist" property, checked on any transport.
 */
export class AckAuditor {
  readonly problems: string[] = [];
  readonly sources: Source[] = [];
  private readonly stored = new Set<string>();
  private readonly seenKeys = new Set<string>();
  private readonly duplicates = new WeakSet<InboundRecord>();
  acks = 0;
  readonly transport: Transport;

  constructor(
    inner: Transport,
    private readonly codec: Codec,
    private readonly config: Config,
  ) {
    this.transport = {
      kind: inner.kind,
      ensureTopics: (specs) => inner.ensureTopics(specs),
      offsets: (topic) => inner.offsets(topic),
      read: (topic, partition, from, to) => inner.read(topic, partition, from, to),
      close: () => inner.close(),
      sink: (): Sink => {
        const sink = inner.sink();
        return {
          send: async (records) => {
            await sink.send(records);
            for (const r of records) this.register(r.topic, r.value);
          },
          close: () => sink.close(),
        };
      },
      source: (options: SourceOptions): Source => {
        const source = inner.source(options);
        this.sources.push(source);
        return {
          rebalances$: source.rebalances$,
          committed: () => source.committed(),
          close: () => source.close(),
          records$: source.records$.pipe(
            map((r): InboundRecord => {
              const key = this.dedupeKey(r);
              if (key !== null) {
                if (this.seenKeys.has(key)) this.duplicates.add(r);
                this.seenKeys.add(key);
              }
              return {
                topic: r.topic,
                partition: r.partition,
                offset: r.offset,
                key: r.key,
                value: r.value,
                timestamp: r.timestamp,
                ack: () => {
                  this.check(r);
                  r.ack();
                },
              };
            }),
          ),
        };
      },
    };
  }

  private register(topic: string, value: Buffer | null): void {
    if (value === null) return;
    const { topics } = this.config;
    if (topic === topics.featuresMarket.name)
      this.stored.add(`bar:${this.codec.decode('MarketBar', value).id}`);
    else if (topic === topics.featuresSentiment.name) {
      const id = this.codec.decode('SentimentFeature', value).id;
      this.stored.add(`news:${id.split('|').slice(2).join('|')}`);
    } else if (topic === topics.featuresMacro.name) {
      const f = this.codec.decode('MacroFeature', value);
      this.stored.add(`macro:${f.indicatorId}|${f.periodEnd}|${f.releaseTime}`);
    } else if (topic === topics.dlq.name) {
      const d = this.codec.decode('DeadLetter', value);
      this.stored.add(`dlq:${d.originalTopic}:${d.originalPartition}:${d.originalOffset}`);
    }
  }

  /** The output key an input derives, or null when it does not decode. */
  private derived(r: InboundRecord): string | null {
    if (r.value === null) return null;
    const { topics, ingest } = this.config;
    try {
      if (r.topic === topics.ticks.name) {
        const t = this.codec.decode('MarketTick', r.value);
        const end =
          Math.floor(t.eventTime / ingest.barIntervalMs) * ingest.barIntervalMs + ingest.barIntervalMs;
        return `bar:${t.symbol}|${end}`;
      }
      if (r.topic === topics.news.name) return `news:${this.codec.decode('NewsSentiment', r.value).id}`;
      if (r.topic === topics.macro.name) {
        const m = this.codec.decode('MacroIndicator', r.value);
        return `macro:${m.indicatorId}|${m.periodEnd}|${m.releaseTime}`;
      }
    } catch {
      return null;
    }
    return null;
  }

  private dedupeKey(r: InboundRecord): string | null {
    if (r.value === null) return null;
    const { topics } = this.config;
    try {
      if (r.topic === topics.ticks.name) {
        const t = this.codec.decode('MarketTick', r.value);
        return `tick:${t.symbol}|${t.sequence}`;
      }
      if (r.topic === topics.news.name) return `news:${this.codec.decode('NewsSentiment', r.value).id}`;
      if (r.topic === topics.macro.name) {
        const m = this.codec.decode('MacroIndicator', r.value);
        return `macro:${m.indicatorId}|${m.periodEnd}|${m.releaseTime}`;
      }
    } catch {
      return null;
    }
    return null;
  }

  private check(r: InboundRecord): void {
    this.acks++;
    if (this.stored.has(`dlq:${r.topic}:${r.partition}:${r.offset}`)) return;
    const out = this.derived(r);
    if (out !== null && this.stored.has(out)) return;
    if (this.duplicates.has(r)) return;
    this.problems.push(
      `${r.topic}:${r.partition}@${r.offset} was acked before ${out ?? 'its dead letter'} was stored`,
    );
  }
}
