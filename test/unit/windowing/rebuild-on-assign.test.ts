import { Subject } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { EmbeddedBus } from '../../../services/shared/bus/embedded-bus.js';
import type { InboundRecord } from '../../../services/shared/bus/transport.js';
import { rebuildOnAssign, toPartitionChange } from '../../../services/windowing/rebuild-on-assign.js';
import type { SourceEvent } from '../../../services/windowing/windowing-events.js';

const topics = { market: 'm', sentiment: 's' };

async function bus() {
  const b = new EmbeddedBus();
  await b.ensureTopics([
    { name: 'm', partitions: 2 },
    { name: 's', partitions: 2 },
  ]);
  const send = (topic: string, partition: number, n: number) =>
    b.sink().send(
      Array.from({ length: n }, (_, i) => ({
        topic,
        partition,
        key: null,
        value: Buffer.from(`${topic}${partition}-${i}`),
      })),
    );
  await send('m', 0, 10);
  await send('m', 1, 4);
  await send('s', 0, 6);
  return b;
}

const live = (topic: string, partition: number, offset: number): SourceEvent => ({
  kind: 'record',
  record: {
    topic,
    partition,
    offset,
    key: null,
    value: null,
    timestamp: 0,
    ack: () => {},
  } satisfies InboundRecord,
  scope: 'group',
  replay: false,
});

const show = (e: SourceEvent) =>
  e.kind === 'record'
    ? `${e.replay ? 'R' : 'L'}${e.record.topic}${e.record.partition}@${e.record.offset}`
    : e.kind === 'macro-bootstrapped'
      ? 'boot'
      : `${e.kind}:${e.market}/${e.sentiment}`;

const settle = () => new Promise((r) => setTimeout(r, 5));

describe('rebuildOnAssign', () => {
  it('replays sentiment up to the high watermark on assignment, and market before the first live offset', async () => {
    const b = await bus();
    const input = new Subject<SourceEvent>();
    const out: string[] = [];
    const rebuilt: string[] = [];
    input
      .pipe(
        rebuildOnAssign({
          transport: b,
          topics,
          maxRecords: 3,
          chunk: 2,
          onRebuilt: (i) => rebuilt.push(`${i.topic}${i.partition}[${i.from},${i.to})=${i.records}`),
        }),
      )
      .subscribe((e) => out.push(show(e)));
    input.next({ kind: 'assigned', market: [0, 1], sentiment: [0, 1] });
    input.next(live('m', 0, 7));
    input.next(live('m', 0, 8));
    input.next(live('s', 0, 6));
    input.next(live('m', 1, 0));
    expect(out).toEqual(['assigned:0,1/0,1']);
    await settle();
    expect(out).toEqual([
      'assigned:0,1/0,1',
      'Rs0@3',
      'Rs0@4',
      'Rs0@5',
      'Rm0@4',
      'Rm0@5',
      'Rm0@6',
      'Lm0@7',
      'Lm0@8',
      'Ls0@6',
      'Lm1@0',
    ]);
    expect(rebuilt).toEqual(['s0[3,6)=3', 'm0[4,7)=3']);
  });

  it('rebuilds a partition again after it is revoked and assigned anew, and not for revoked ones', async () => {
    const b = await bus();
    const input = new Subject<SourceEvent>();
    const out: string[] = [];
    input.pipe(rebuildOnAssign({ transport: b, topics, maxRecords: 2 })).subscribe((e) => out.push(show(e)));
    input.next({ kind: 'assigned', market: [0, 1], sentiment: [] });
    input.next(live('m', 0, 9));
    await settle();
    input.next({ kind: 'revoked', market: [0, 1], sentiment: [] });
    input.next({ kind: 'assigned', market: [0], sentiment: [] });
    input.next(live('m', 0, 9));
    input.next(live('m', 1, 3));
    await settle();
    expect(out).toEqual([
      'assigned:0,1/',
      'Rm0@7',
      'Rm0@8',
      'Lm0@9',
      'revoked:0,1/',
      'assigned:0/',
      'Rm0@7',
      'Rm0@8',
      'Lm0@9',
      'Lm1@3',
    ]);
  });

  it('maps Source rebalance events onto the co-partitioned topics', () => {
    expect(
      toPartitionChange(
        {
          type: 'assigned',
          assignments: [
            { topic: 'm', partitions: [0, 2] },
            { topic: 's', partitions: [0, 2] },
          ],
        },
        topics,
      ),
    ).toEqual({ kind: 'assigned', market: [0, 2], sentiment: [0, 2] });
  });
});
