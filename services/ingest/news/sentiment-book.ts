import type { NewsSentiment, SentimentFeature } from '../../shared/contracts/records.js';

export interface SentimentSettings {
  halfLifeMs: number;
  /** sentiment <= this with relevance >= SHOCK_MIN_RELEVANCE is a negative shock. */
  shockThreshold: number;
}

/** Relevance an item needs for its sentiment to count as a shock. */
export const SHOCK_MIN_RELEVANCE = 0.5;

/** The key of market-wide state: items with a null symbol or "*". */
export const MARKET_WIDE = '*';

interface State {
  asOf: number;
  /** Decayed sum of relevance (= intensity). */
  weight: number;
  /** Decayed sum of relevance x sentiment. */
  weighted: number;
  shock: number;
  items: number;
}

/**
 * News sentiment state per symbol (and "*" for market-wide items). All three quantities decay by
 * w = 0.5^(dt / halfLife) over elapsed event time:
 *   intensity  I <- I*w + r
 *   sentiment  S = N / I with N <- N*w + r*s   (a relevance-weighted, time-decayed mean in [-1, 1])
 *   shock      X <- X*w, then 1 if s <= threshold and r >= 0.5
 * Decaying forward in time multiplies I and X by w and leaves S unchanged (N and I shrink
 * together), which is exactly what the next update starts from, so readers can decay a state to any
 * later time without seeing the next item.
 */
export class SentimentBook {
  private readonly states = new Map<string, State>();

  constructor(private readonly settings: SentimentSettings) {}

  static keyOf(item: Pick<NewsSentiment, 'symbol'>): string {
    return item.symbol === null || item.symbol === MARKET_WIDE ? MARKET_WIDE : item.symbol;
  }

  apply(item: NewsSentiment): SentimentFeature {
    const key = SentimentBook.keyOf(item);
    const h = this.settings.halfLifeMs;
    const r = item.relevance;
    const s = item.sentiment;
    let st = this.states.get(key);
    if (!st) {
      st = { asOf: item.eventTime, weight: 0, weighted: 0, shock: 0, items: 0 };
      this.states.set(key, st);
    }
    // An item older than the state (accepted within the allowed lateness) enters with its weight
    // decayed to the state's time instead of rewinding the state.
    let itemWeight = r;
    let itemShock = 1;
    if (item.eventTime >= st.asOf) {
      const w = 0.5 ** ((item.eventTime - st.asOf) / h);
      st.weight *= w;
      st.weighted *= w;
      st.shock *= w;
      st.asOf = item.eventTime;
    } else {
      const w = 0.5 ** ((st.asOf - item.eventTime) / h);
      itemWeight = r * w;
      itemShock = w;
    }
    st.weight += itemWeight;
    st.weighted += itemWeight * s;
    if (s <= this.settings.shockThreshold && r >= SHOCK_MIN_RELEVANCE)
      st.shock = Math.max(st.shock, itemShock);
    st.items++;
    const ewma = st.weight > 0 ? st.weighted / st.weight : 0;
    return {
      id: `${key}|${st.asOf}|${item.id}`,
      symbol: key,
      asOf: st.asOf,
      ewmaSentiment: Math.max(-1, Math.min(1, ewma)),
      intensity: st.weight,
      negativeShock: Math.min(1, st.shock),
      halfLifeMs: h,
      items: st.items,
    };
  }
}
