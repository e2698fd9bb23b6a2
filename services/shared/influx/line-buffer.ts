/** A run of lines with consecutive sequence numbers. */
interface Segment {
  seq: number;
  count: number;
}

/** Lines taken from the front of a {@link LineBuffer}; hand it back with `requeueFront` if sending failed. */
export interface TakenBatch {
  readonly lines: readonly string[];
  readonly segments: readonly Segment[];
}

/**
 * FIFO of line-protocol lines. Every line gets a sequence number when pushed; the buffer keeps
 * them as runs so that `flush()` can tell exactly whether everything written before a given moment
 * has left, even after a failed batch was put back in front of lines whose neighbours were dropped
 * meanwhile (the sequence numbers then have a gap, and the runs record it).
 *
 * Bounding is the owner's job (`dropOldest`): the buffer itself never discards anything.
 */
export class LineBuffer {
  private items: (string | undefined)[] = [];
  private head = 0;
  private segments: Segment[] = [];
  private next = 0;

  get length(): number {
    return this.items.length - this.head;
  }

  /** Sequence number the next pushed line will get. */
  get nextSeq(): number {
    return this.next;
  }

  /** Sequence number of the oldest line held, or `nextSeq` when empty. */
  get firstSeq(): number {
    return this.segments[0]?.seq ?? this.next;
  }

  push(line: string): void {
    this.items.push(line);
    const last = this.segments[this.segments.length - 1];
    if (last && last.seq + last.count === this.next) last.count++;
    else this.segments.push({ seq: this.next, count: 1 });
    this.next++;
  }

  /** Removes up to `n` lines from the front and returns them. */
  take(n: number): TakenBatch {
    const count = Math.min(n, this.length);
    const lines = this.items.slice(this.head, this.head + count) as string[];
    this.advance(count);
    return { lines, segments: this.consumeSegments(count) };
  }

  /** Discards up to `n` of the oldest lines; returns how many were discarded. */
  dropOldest(n: number): number {
    const count = Math.min(n, this.length);
    this.advance(count);
    this.consumeSegments(count);
    return count;
  }

  /** Puts a batch back in front, keeping its original sequence numbers. */
  requeueFront(batch: TakenBatch): void {
    const n = batch.lines.length;
    if (n === 0) return;
    if (this.head >= n) {
      this.head -= n;
      for (let i = 0; i < n; i++) this.items[this.head + i] = batch.lines[i];
    } else {
      this.items = [...batch.lines, ...this.items.slice(this.head)];
      this.head = 0;
    }
    const restored = batch.segments.map((s) => ({ ...s }));
    const first = this.segments[0];
    const lastRestored = restored[restored.length - 1];
    if (first && lastRestored && lastRestored.seq + lastRestored.count === first.seq) {
      lastRestored.count += first.count;
      this.segments.shift();
    }
    this.segments = [...restored, ...this.segments];
  }

  /** Lines held whose sequence number is below `seq`. */
  countBefore(seq: number): number {
    let n = 0;
    for (const s of this.segments) {
      if (s.seq >= seq) break;
      n += Math.min(s.count, seq - s.seq);
    }
    return n;
  }

  private advance(count: number): void {
    for (let i = 0; i < count; i++) this.items[this.head + i] = undefined;
    this.head += count;
    // Compact once the dead prefix dominates, so memory stays proportional to what is held.
    if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
  }

  private consumeSegments(count: number): Segment[] {
    const out: Segment[] = [];
    let left = count;
    while (left > 0) {
      const s = this.segments[0];
      if (!s) break;
      if (s.count <= left) {
        out.push(s);
        this.segments.shift();
        left -= s.count;
      } else {
        out.push({ seq: s.seq, count: left });
        s.seq += left;
        s.count -= left;
        left = 0;
      }
    }
    return out;
  }
}

/** Number of lines in a taken batch whose sequence number is below `seq`. */
export function countBatchBefore(batch: TakenBatch, seq: number): number {
  let n = 0;
  for (const s of batch.segments) {
    if (s.seq >= seq) break;
    n += Math.min(s.count, seq - s.seq);
  }
  return n;
}
