/**
 * A binary min-heap of items by their arrival sequence number: the join merges its per-symbol
 * queues of held bars through it, so one release pass costs O(symbols waiting · log) instead of
 * a walk over every held bar.
 */
export class ArrivalHeap<T extends { seq: number }> {
  private readonly items: T[] = [];

  get size(): number {
    return this.items.length;
  }

  push(item: T): void {
    const a = this.items;
    a.push(item);
    let i = a.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if ((a[parent] as T).seq <= item.seq) break;
      a[i] = a[parent] as T;
      i = parent;
    }
    a[i] = item;
  }

  /** The item that arrived first; undefined when empty. */
  pop(): T | undefined {
    const a = this.items;
    const top = a[0];
    const last = a.pop();
    if (a.length === 0 || last === undefined) return top;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= a.length) break;
      const r = l + 1;
      const child = r < a.length && (a[r] as T).seq < (a[l] as T).seq ? r : l;
      if ((a[child] as T).seq >= last.seq) break;
      a[i] = a[child] as T;
      i = child;
    }
    a[i] = last;
    return top;
  }
}
