import { from, lastValueFrom, of, toArray } from 'rxjs';
import type { FeedDefinition, InputRecordName } from '../../../services/ingest/framework/feed-definition.js';
import type { PipelineInput, Work } from '../../../services/ingest/framework/ingest-event.js';
import { ingestPipeline } from '../../../services/ingest/framework/ingest-pipeline.js';
import type { ReasonCode } from '../../../services/ingest/framework/reason-codes.js';
import type { OutboundRecord } from '../../../services/shared/bus/transport.js';
import { codec, NOW, type TestRecord } from './ingest-fixtures.js';

export interface HarnessResult {
  produced: OutboundRecord[];
  deadLetters: { offset: number; partition: number; reason: ReasonCode; message: string }[];
  work: Work[];
}

/** Runs a finite input through a feed's whole pipeline with an in-memory sink; ends with a flush. */
export async function runFeed<N extends InputRecordName>(
  feed: FeedDefinition<N>,
  inputs: TestRecord[],
  options: { maxOutOfOrdernessMs: number; allowedLatenessMs?: number },
): Promise<HarnessResult> {
  const produced: OutboundRecord[] = [];
  const deadLetters: HarnessResult['deadLetters'] = [];
  const work = await lastValueFrom(
    from(inputs as PipelineInput[]).pipe(
      ingestPipeline(feed, {
        codec,
        maxOutOfOrdernessMs: options.maxOutOfOrdernessMs,
        allowedLatenessMs: options.allowedLatenessMs ?? 0,
        idleFlushMs: 0,
        now: () => NOW,
        target: {
          send: (records) => {
            produced.push(...records);
            return of(undefined);
          },
          deadLetter: (input, reason, message) => {
            deadLetters.push({ offset: input.offset, partition: input.partition, reason, message });
            return of(undefined);
          },
        },
      }),
      toArray(),
    ),
  );
  return { produced, deadLetters, work };
}
