import type { ScoringModels } from './scoring-models.js';

/**
 * Holds the serving models and swaps them between batches. A batch takes the models with
 * `acquire` and gives them back with `release`; a replaced set is disposed only when no batch
 * uses it any more, so a swap under load neither drops nor double-scores a record.
 */
export class ModelHolder {
  private users = new Map<ScoringModels, number>();
  private retired = new Set<ScoringModels>();

  constructor(private models: ScoringModels) {}

  get current(): ScoringModels {
    return this.models;
  }

  acquire(): ScoringModels {
    const m = this.models;
    this.users.set(m, (this.users.get(m) ?? 0) + 1);
    return m;
  }

  release(m: ScoringModels): void {
    const n = (this.users.get(m) ?? 1) - 1;
    if (n > 0) {
      this.users.set(m, n);
      return;
    }
    this.users.delete(m);
    if (this.retired.delete(m)) m.dispose();
  }

  /** Installs a new set; the old one is disposed once its in-flight batches finish. */
  swap(next: ScoringModels): ScoringModels {
    const old = this.models;
    this.models = next;
    if (old !== next) {
      if (this.users.has(old)) this.retired.add(old);
      else old.dispose();
    }
    return old;
  }
}
