import { from, Observable, type ObservableInput, type OperatorFunction, type Subscription } from 'rxjs';
import type { InboundRecord, OutboundRecord } from '../../shared/bus/transport.js';
import type { Work } from './ingest-event.js';
import type { ReasonCode } from './reason-codes.js';

export interface DeliveryTarget {
  /** Stores records (the Sink); completes once all are stored, errors otherwise. */
  send(records: OutboundRecord[]): ObservableInput<void>;
  deadLetter(input: InboundRecord, reason: ReasonCode, message: string): ObservableInput<void>;
}

/**
 * The last stage: carries out work items in order and acks their inputs once the outputs are
 * stored, so a committed offset never runs ahead of what it produced. While one send is in flight,
 * the produce items that queue up behind it are merged into the next send (up to maxBatchRecords
 * records), which keeps a slow broker from turning into one round trip per record. Each item is
 * emitted downstream after it is done (metrics, flush and barrier completion). A failed send
 * errors the stream: its inputs stay un-acked and are redelivered after a restart.
 */
export function deliverWork(target: DeliveryTarget, maxBatchRecords = 1_000): OperatorFunction<Work, Work> {
  return (source) =>
    new Observable<Work>((subscriber) => {
      const queue: Work[] = [];
      let busy = false;
      let pumping = false;
      let sourceDone = false;
      let inner: Subscription | undefined;

      const finish = (items: Work[]) => {
        for (const w of items) {
          if (w.kind === 'produce') for (const i of w.inputs) i.ack();
          else if (w.kind === 'dead-letter' || w.kind === 'skip') w.input.ack();
          subscriber.next(w);
        }
      };

      const pump = () => {
        if (pumping) return;
        pumping = true;
        try {
          while (!busy && queue.length > 0 && !subscriber.closed) {
            const first = queue[0] as Work;
            if (first.kind === 'skip' || first.kind === 'flush' || first.kind === 'barrier') {
              queue.shift();
              finish([first]);
              continue;
            }
            let items: Work[];
            let op: ObservableInput<void>;
            if (first.kind === 'dead-letter') {
              items = [queue.shift() as Work];
              op = target.deadLetter(first.input, first.reason, first.message);
            } else {
              items = [];
              const records: OutboundRecord[] = [];
              while (queue.length > 0) {
                const next = queue[0] as Work;
                if (next.kind !== 'produce') break;
                if (items.length > 0 && records.length + next.records.length > maxBatchRecords) break;
                queue.shift();
                items.push(next);
                for (const r of next.records) records.push(r);
              }
              op = records.length > 0 ? target.send(records) : [];
            }
            busy = true;
            let done = false;
            inner = from(op).subscribe({
              error: (err) => subscriber.error(err),
              complete: () => {
                done = true;
                busy = false;
                finish(items);
                // An asynchronous completion resumes the loop; a synchronous one is picked up by it.
                if (!pumping) pump();
              },
            });
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
        inner?.unsubscribe();
      };
    });
}
