import { from, Observable, type ObservableInput, type OperatorFunction, type Subscription } from 'rxjs';
import type { InboundRecord, OutboundRecord } from '../../shared/bus/transport.js';
import type { Work } from './ingest-event.js';
import type { ReasonCode } from './reason-codes.js';

type DeadLetterWork = Extract<Work, { kind: 'dead-letter' }>;

export interface DeliveryTarget {
  /** Stores records (the Sink); completes once all are stored, errors otherwise. */
  send(records: OutboundRecord[]): ObservableInput<void>;
  deadLetter(input: InboundRecord, reason: ReasonCode, message: string): ObservableInput<void>;
}

/**
 * The last stage: carries out work items in order and acks their inputs once the outputs are
 * stored, so a committed offset never runs ahead of what it produced. One step is in flight at a
 * time; a step takes every item queued when it starts, up to maxBatchRecords records and dead
 * letters: the produce items' records go out in one send (in order) and the step's dead letters
 * are written alongside it, so a slow broker costs one round trip per step rather than per record
 * (a burst of rejects used to cost one round trip each). When everything of the step is stored,
 * its items are done in queue order: inputs acked, each item emitted downstream (metrics, flush
 * and barrier completion). A failed send or dead-letter write errors the stream: the step's inputs
 * stay un-acked and are redelivered after a restart.
 */
export function deliverWork(target: DeliveryTarget, maxBatchRecords = 1_000): OperatorFunction<Work, Work> {
  return (source) =>
    new Observable<Work>((subscriber) => {
      const queue: Work[] = [];
      let busy = false;
      let pumping = false;
      let sourceDone = false;
      const inner = new Set<Subscription>();

      const finish = (items: Work[]) => {
        for (const w of items) {
          if (w.kind === 'produce') for (const i of w.inputs) i.ack();
          else if (w.kind === 'dead-letter' || w.kind === 'skip') w.input.ack();
          subscriber.next(w);
        }
      };

      /** Takes the next step's items off the queue: all of it, up to maxBatchRecords outputs. */
      const takeStep = (): { items: Work[]; records: OutboundRecord[]; letters: DeadLetterWork[] } => {
        const items: Work[] = [];
        const records: OutboundRecord[] = [];
        const letters: DeadLetterWork[] = [];
        while (queue.length > 0) {
          const next = queue[0] as Work;
          const outputs = next.kind === 'produce' ? next.records.length : next.kind === 'dead-letter' ? 1 : 0;
          const taken = records.length + letters.length;
          if (outputs > 0 && taken > 0 && taken + outputs > maxBatchRecords) break;
          queue.shift();
          items.push(next);
          if (next.kind === 'produce') for (const r of next.records) records.push(r);
          else if (next.kind === 'dead-letter') letters.push(next);
        }
        return { items, records, letters };
      };

      const pump = () => {
        if (pumping) return;
        pumping = true;
        try {
          while (!busy && queue.length > 0 && !subscriber.closed) {
            const { items, records, letters } = takeStep();
            const ops: ObservableInput<void>[] = records.length > 0 ? [target.send(records)] : [];
            for (const l of letters) ops.push(target.deadLetter(l.input, l.reason, l.message));
            if (ops.length === 0) {
              finish(items);
              continue;
            }
            busy = true;
            let open = ops.length;
            let done = false;
            for (const op of ops) {
              let sub: Subscription | undefined;
              sub = from(op).subscribe({
                error: (err) => subscriber.error(err),
                complete: () => {
                  if (sub) inner.delete(sub);
                  if (--open > 0) return;
                  done = true;
                  busy = false;
                  finish(items);
                  // An asynchronous completion resumes the loop; a synchronous one is picked up by it.
                  if (!pumping) pump();
                },
              });
              if (!sub.closed) inner.add(sub);
              if (subscriber.closed) return;
            }
            if (!done) break;
          }
          if (!busy && queue.length === 0 && sourceDone) subscriber.complete();
        } finally {
          pumping = false;
        }
      };

      const sub = source.subscribe({
        next: (w) => {
          queue.push(w);
          pump();
        },
        error: (err) => subscriber.error(err),
        complete: () => {
          sourceDone = true;
          pump();
        },
      });
      return () => {
        sub.unsubscribe();
        for (const s of inner) s.unsubscribe();
        inner.clear();
      };
    });
}
