import { type OperatorFunction, type SchedulerLike, tap } from 'rxjs';
import type { Codec } from '../../shared/codec/codec.js';
import type { RecordTypes } from '../../shared/contracts/records.js';
import { applyTransform } from './apply-transform.js';
import { decodeRecords } from './decode-records.js';
import { dedupeRecords } from './dedupe-records.js';
import { type DeliveryTarget, deliverWork } from './deliver-work.js';
import type { FeedDefinition, InputRecordName } from './feed-definition.js';
import type { IngestEvent, PipelineInput, WatermarkAdvanced, Work } from './ingest-event.js';
import { orderByEventTime } from './order-by-event-time.js';
import { validateRecords } from './validate-records.js';

export interface PipelineOptions {
  codec: Codec;
  maxOutOfOrdernessMs: number;
  allowedLatenessMs: number;
  idleFlushMs: number;
  now: () => number;
  target: DeliveryTarget;
  maxBatchRecords?: number;
  scheduler?: SchedulerLike;
  /** Called whenever a partition's watermark moves (metrics). */
  onWatermark?: (event: WatermarkAdvanced) => void;
}

/**
 * decode -> validate -> dedupe -> event-time order/watermark -> transform -> produce + ack.
 * Emits each work item once it is done (outputs stored, inputs acked).
 */
export function ingestPipeline<N extends InputRecordName>(
  feed: FeedDefinition<N>,
  options: PipelineOptions,
): OperatorFunction<PipelineInput, Work> {
  type T = RecordTypes[N];
  return (input$) =>
    input$.pipe(
      // The decoder's output is a subset of IngestEvent<T>; widen it for the stages that follow.
      decodeRecords(options.codec, feed.recordName) as OperatorFunction<PipelineInput, IngestEvent<T>>,
      validateRecords<T>((v) => feed.validate(v)),
      dedupeRecords<T>(() => feed.createDeduplicator()),
      orderByEventTime<T>({
        eventTimeOf: (v) => feed.eventTimeOf(v),
        maxOutOfOrdernessMs: options.maxOutOfOrdernessMs,
        allowedLatenessMs: options.allowedLatenessMs,
        idleFlushMs: options.idleFlushMs,
        now: options.now,
        ...(options.scheduler ? { scheduler: options.scheduler } : {}),
      }),
      tap((e) => {
        if (e.kind === 'watermark') options.onWatermark?.(e);
      }),
      applyTransform<T>(() => feed.createTransform()),
      deliverWork(options.target, options.maxBatchRecords),
    );
}
