interface Waiter<T> {
  items: readonly T[];
  resolve(): void;
  reject(err: unknown): void;
}

export interface SendAccumulatorOptions {
  /** A batch is sent as soon as this many items are waiting. */
  batchSize: number;
  /** Otherwise the first waiting item waits at most this long for company. */
  lingerMs: number;
}

/**
 * Groups concurrent `add` calls into batches for one `flush` each: a batch goes out when it
 * reaches batchSize items or lingerMs after its first item, whichever comes first. One flush is
 * in flight at a time, so batches leave in call order (Kafka keeps per-partition order only if
 * the client does). Each call resolves when the flush holding its items resolves; a failed flush
 * rejects every call in it. A call's items are never split across flushes.
 */
export class SendAccumulator<T> {
  private waiting: Waiter<T>[] = [];
  private waitingItems = 0;
  private timer: NodeJS.Timeout | undefined;
  private inFlight: Promise<void> | undefined;
  private closed = false;

  constructor(
    private readonly flush: (items: T[]) => Promise<void>,
    private readonly options: SendAccumulatorOptions,
  ) {}

  add(items: readonly T[]): Promise<void> {
    if (this.closed) return Promise.reject(new Error('send after close: this sink is closed'));
    if (items.length === 0) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      this.waiting.push({ items, resolve, reject });
      this.waitingItems += items.length;
      this.schedule();
    });
  }

  /** Items accepted and not yet handed to a flush. */
  get pending(): number {
    return this.waitingItems;
  }

  private schedule(): void {
    if (this.inFlight || this.waiting.length === 0) return;
    if (this.waitingItems >= this.options.batchSize || this.options.lingerMs === 0 || this.closed) {
      this.sendNow();
      return;
    }
    this.timer ??= setTimeout(() => this.sendNow(), this.options.lingerMs);
  }

  private sendNow(): void {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    if (this.inFlight || this.waiting.length === 0) return;
    const batch: Waiter<T>[] = [];
    let size = 0;
    while (this.waiting.length > 0 && (batch.length === 0 || size < this.options.batchSize)) {
      const next = this.waiting[0] as Waiter<T>;
      if (batch.length > 0 && size + next.items.length > this.options.batchSize) break;
      batch.push(next);
      size += next.items.length;
      this.waiting.shift();
    }
    this.waitingItems -= size;
    const items = batch.flatMap((w) => w.items);
    this.inFlight = this.flush(items).then(
      () => {
        for (const w of batch) w.resolve();
      },
      (err: unknown) => {
        for (const w of batch) w.reject(err);
      },
    );
    void this.inFlight.finally(() => {
      this.inFlight = undefined;
      // Whatever queued up meanwhile has waited long enough: send it without lingering again.
      if (this.waiting.length > 0) this.sendNow();
    });
  }

  /** Sends what is waiting now, waits for every flush, then refuses further adds. */
  async close(): Promise<void> {
    this.closed = true;
    while (this.inFlight || this.waiting.length > 0) {
      this.sendNow();
      await this.inFlight;
    }
  }
}
