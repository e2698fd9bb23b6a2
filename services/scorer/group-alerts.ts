import {
  asyncScheduler,
  type MonoTypeOperatorFunction,
  Observable,
  type SchedulerLike,
  Subscription,
} from 'rxjs';
import type { AnomalyAlert, FeatureContribution, RiskAlert } from '../shared/contracts/records.js';
import { alertId } from './alert-ids.js';
import { type Emission, emptyEmission } from './scored-item.js';
import { maxSeverity } from './severity-rank.js';

export interface GroupAlertsOptions {
  /** This many symbols alerting with the same type in the same bar become one market-wide alert. */
  minSymbols: number;
  /** How long alerts of a bar are held (wall clock) waiting for the other symbols of that bar. */
  holdMs: number;
  explanationTopK: number;
  now: () => number;
  scheduler?: SchedulerLike;
}

interface AckBundle {
  acks: Array<() => void>;
  pendingGroups: number;
}

interface Group {
  risk: RiskAlert[];
  anomaly: AnomalyAlert[];
  bundles: AckBundle[];
}

/** Mean contribution per feature across the group's alerts, largest magnitude first. */
function pooledExplanation(lists: FeatureContribution[][], topK: number): FeatureContribution[] {
  const sums = new Map<string, { value: number; contribution: number; n: number }>();
  for (const list of lists) {
    for (const c of list) {
      const s = sums.get(c.feature) ?? { value: 0, contribution: 0, n: 0 };
      s.value += c.value;
      s.contribution += c.contribution;
      s.n++;
      sums.set(c.feature, s);
    }
  }
  return [...sums]
    .map(([feature, s]) => ({ feature, value: s.value / s.n, contribution: s.contribution / lists.length }))
    .sort((a, b) => Math.abs(b.contribution) - Math.abs(a.contribution))
    .slice(0, topK);
}

const marketWideContext = (ctx: Record<string, number>) =>
  Object.fromEntries(Object.entries(ctx).filter(([k]) => k.startsWith('market')));

/**
 * When many symbols fire the same alert type in the same bar, one market-wide alert listing them
 * replaces the flood (the individual ones count as suppressed 'grouped'). Scores pass straight
 * through; alerts wait up to holdMs for the rest of their bar, and the acks of the inputs that
 * produced them wait with them, so nothing is committed before its alert is out.
 */
export function groupAlerts(options: GroupAlertsOptions): MonoTypeOperatorFunction<Emission> {
  const scheduler = options.scheduler ?? asyncScheduler;
  return (source) =>
    new Observable<Emission>((subscriber) => {
      const groups = new Map<string, Group>();
      const timers = new Subscription();

      const flush = (key: string) => {
        const g = groups.get(key);
        if (!g) return;
        groups.delete(key);
        const out = emptyEmission();
        const symbols = new Set([...g.risk.map((a) => a.symbol), ...g.anomaly.map((a) => a.symbol)]);
        if (symbols.size >= options.minSymbols) {
          out.suppressed.grouped = g.risk.length + g.anomaly.length;
          if (g.risk[0]) {
            const r = g.risk[0];
            out.riskAlerts.push({
              ...r,
              alertId: alertId('*', `MARKET_WIDE:${r.alertType}`, r.barTime, r.modelVersion),
              symbol: '*',
              alertType: 'MARKET_WIDE',
              severity: g.risk.map((a) => a.severity).reduce(maxSeverity),
              score: Math.max(...g.risk.map((a) => a.score)),
              threshold: Math.min(...g.risk.map((a) => a.threshold)),
              symbols: [...symbols].sort(),
              explanation: pooledExplanation(
                g.risk.map((a) => a.explanation),
                options.explanationTopK,
              ),
              sentimentContext: marketWideContext(r.sentimentContext),
              createdAt: options.now(),
            });
          } else if (g.anomaly[0]) {
            const a = g.anomaly[0];
            out.anomalyAlerts.push({
              ...a,
              alertId: alertId('*', 'MARKET_WIDE:ANOMALY', a.barTime, a.modelVersion),
              symbol: '*',
              severity: g.anomaly.map((x) => x.severity).reduce(maxSeverity),
              anomalyScore: Math.max(...g.anomaly.map((x) => x.anomalyScore)),
              smoothedError: Math.max(...g.anomaly.map((x) => x.smoothedError)),
              symbols: [...symbols].sort(),
              explanation: pooledExplanation(
                g.anomaly.map((x) => x.explanation),
                options.explanationTopK,
              ),
              sentimentContext: marketWideContext(a.sentimentContext),
              createdAt: options.now(),
            });
          }
        } else {
          out.riskAlerts.push(...g.risk);
          out.anomalyAlerts.push(...g.anomaly);
        }
        for (const b of g.bundles) {
          b.pendingGroups--;
          if (b.pendingGroups === 0) out.acks.push(...b.acks);
        }
        subscriber.next(out);
      };

      const sub = source.subscribe({
        next(em) {
          if (em.riskAlerts.length === 0 && em.anomalyAlerts.length === 0) {
            subscriber.next(em);
            return;
          }
          const keys = new Set<string>();
          const groupFor = (key: string) => {
            keys.add(key);
            let g = groups.get(key);
            if (!g) {
              g = { risk: [], anomaly: [], bundles: [] };
              groups.set(key, g);
              timers.add(scheduler.schedule(() => flush(key), options.holdMs));
            }
            return g;
          };
          for (const a of em.riskAlerts) groupFor(`risk|${a.alertType}|${a.barTime}`).risk.push(a);
          for (const a of em.anomalyAlerts) groupFor(`anomaly|${a.barTime}`).anomaly.push(a);
          const bundle: AckBundle = { acks: em.acks, pendingGroups: keys.size };
          for (const k of keys) groups.get(k)?.bundles.push(bundle);
          subscriber.next({ ...em, riskAlerts: [], anomalyAlerts: [], acks: [] });
        },
        error(err) {
          subscriber.error(err);
        },
        complete() {
          for (const key of [...groups.keys()]) flush(key);
          subscriber.complete();
        },
      });
      return () => {
        sub.unsubscribe();
        timers.unsubscribe();
      };
    });
}
