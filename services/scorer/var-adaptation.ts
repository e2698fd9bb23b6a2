import { defer, map, type OperatorFunction } from 'rxjs';
import { AdaptiveTailScale } from '../models/risk/adaptive-var-scale.js';
import type { ScoredItem } from './scored-item.js';

export interface VarAdaptationOptions {
  /** AdaptiveVarScale step; 0 serves the model's VaR unchanged. */
  gamma: number;
  maxLogScale: number;
  /** The serving risk model's label horizon H in bars (read per item: a hot swap may change it). */
  horizonBars: () => number;
  /** Called once per batch with the current scales (for metrics). */
  onScale?: (scales: { var95: number; var99: number }) => void;
}

interface SymbolState {
  /** Served (var95, var99) of the last H bars, oldest first: each waits for its H-bar outcome. */
  pending: { var95: number; var99: number }[];
  /** The last H one-bar log returns, oldest first; their sum is the outcome of pending[0]. */
  returns: number[];
}

/**
 * Serves the model's VaR and ES through one market-wide AdaptiveTailScale (a scale per level,
 * the served values kept ordered): each score's
 * VaRs are scaled by what the outcomes resolved so far say, and a forecast made H bars ago is
 * resolved by the H one-bar returns since. The scale restarts from 1 when the risk model changes
 * (it corrects that model's head, not the next one's) and when the scorer restarts.
 * `evaluate risk` replays the same rule (services/quality/adaptive-var-replay.ts), so the
 * backtest in docs/quality.md is of the VaR served here.
 */
export function varAdaptation(options: VarAdaptationOptions): OperatorFunction<ScoredItem[], ScoredItem[]> {
  return (source) => {
    if (options.gamma === 0) return source;
    // State per subscription: a second subscriber replays from the head as trained.
    return defer(() => source.pipe(adaptBatches(options)));
  };
}

function adaptBatches(options: VarAdaptationOptions): OperatorFunction<ScoredItem[], ScoredItem[]> {
  return (source) => {
    let version: string | undefined;
    let scales: AdaptiveTailScale | undefined;
    const symbols = new Map<string, SymbolState>();
    const fresh = () => new AdaptiveTailScale({ gamma: options.gamma, maxLogScale: options.maxLogScale });

    const adapt = (item: ScoredItem): ScoredItem => {
      const { score, meta } = item;
      if (score.modelVersion !== version || scales === undefined) {
        version = score.modelVersion;
        scales = fresh();
        symbols.clear();
      }
      const horizon = Math.max(1, options.horizonBars());
      let state = symbols.get(score.symbol);
      if (!state) {
        state = { pending: [], returns: [] };
        symbols.set(score.symbol, state);
      }
      state.returns.push(meta.lastBar.logReturn);
      if (state.returns.length > horizon) state.returns.shift();
      while (state.pending.length >= horizon) {
        const resolved = state.pending.shift() as { var95: number; var99: number };
        const outcome = state.returns.reduce((a, r) => a + r, 0);
        scales.observe(resolved, outcome);
      }
      const served = { ...score, ...scales.serve(score) };
      state.pending.push({ var95: served.var95, var99: served.var99 });
      return { ...item, score: served };
    };

    return source.pipe(
      map((batch) => {
        const out = batch.map(adapt);
        // Once per batch, not per item: prom-client hashes the labels on every set.
        if (scales) options.onScale?.({ var95: scales.level95.scale, var99: scales.level99.scale });
        return out;
      }),
    );
  };
}
