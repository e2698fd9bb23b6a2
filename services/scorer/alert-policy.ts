import { map, type OperatorFunction } from 'rxjs';
import type { AnomalyAlert, RiskAlert, Severity } from '../shared/contracts/records.js';
import { alertId } from './alert-ids.js';
import { RecentIds } from './recent-ids.js';
import { type Emission, emptyEmission, type ScoredItem, type SuppressReason } from './scored-item.js';
import { type SeverityLadder, SeverityState } from './severity-ladder.js';
import { rankSeverity } from './severity-rank.js';

export interface AlertLadders {
  risk: SeverityLadder;
  anomaly: SeverityLadder;
}

export interface AlertPolicyOptions {
  /** Current calibrated ladders; read per batch so a hot model swap changes them between batches. */
  ladders: () => AlertLadders;
  /** Event-time quiet period per symbol and alert type after an alert; escalations pass. */
  cooldownMs: number;
  /** Horizon H of the VaR forecast, to scale it to one bar (sqrt-of-time). */
  varHorizonBars: number;
  varBreachEnabled: boolean;
  dedupeCapacity: number;
  now: () => number;
}

interface LastFired {
  barTime: number;
  severity: Severity;
}

/**
 * Turns scored sequences into alerts: severity from the calibrated ladders with hysteresis,
 * a cooldown per (symbol, type), VaR-breach checks against the previous bar's forecast, and
 * de-duplication of alert ids. Each input batch becomes one Emission carrying the batch's acks.
 */
export function alertPolicy(options: AlertPolicyOptions): OperatorFunction<ScoredItem[], Emission> {
  return (source) => {
    const states = new Map<string, SeverityState>();
    const lastFired = new Map<string, LastFired>();
    const prevVar = new Map<string, { var99: number; es99: number }>();
    const recent = new RecentIds(options.dedupeCapacity);

    const stateFor = (key: string, ladder: SeverityLadder) => {
      let s = states.get(key);
      if (!s) {
        s = new SeverityState(ladder);
        states.set(key, s);
      }
      return s;
    };

    /** Applies cooldown and dedupe to a severity that wants to fire; returns why it may not. */
    const gate = (key: string, id: string, barTime: number, severity: Severity): SuppressReason | null => {
      const last = lastFired.get(key);
      if (
        last &&
        barTime - last.barTime < options.cooldownMs &&
        rankSeverity(severity) <= rankSeverity(last.severity)
      ) {
        return 'cooldown';
      }
      if (recent.seen(id)) return 'dedupe';
      lastFired.set(key, { barTime, severity });
      return null;
    };

    return source.pipe(
      map((items) => {
        const out = emptyEmission();
        const ladders = options.ladders();
        const suppress = (r: SuppressReason) => {
          out.suppressed[r] = (out.suppressed[r] ?? 0) + 1;
        };
        for (const item of items) {
          const { meta, score } = item;
          out.scores.push(score);
          out.acks.push(meta.ack);
          const riskAlert = (
            type: RiskAlert['alertType'],
            severity: Severity,
            value: number,
            threshold: number,
            explanation: RiskAlert['explanation'] = item.riskExplanation,
          ) => {
            const id = alertId(meta.symbol, type, meta.barTime, score.modelVersion);
            const why = gate(`${meta.symbol}|${type}`, id, meta.barTime, severity);
            if (why) return suppress(why);
            out.riskAlerts.push({
              alertId: id,
              symbol: meta.symbol,
              alertType: type,
              severity,
              barTime: meta.barTime,
              score: value,
              threshold,
              modelVersion: score.modelVersion,
              symbols: [],
              explanation,
              macroContext: meta.macro,
              sentimentContext: meta.sentiment,
              createdAt: options.now(),
            });
          };

          // Risk event probability against the calibrated ladder, with hysteresis.
          const risk = stateFor(`${meta.symbol}|RISK_EVENT`, ladders.risk).step(score.eventProbability);
          if (risk.fire)
            riskAlert('RISK_EVENT', risk.fire, score.eventProbability, ladders.risk.enter[risk.fire]);
          else if (risk.held) suppress('hysteresis');

          // VaR breach: this bar's realised return against the previous bar's one-bar VaR99.
          const prev = prevVar.get(meta.symbol);
          if (options.varBreachEnabled && prev && !meta.lastBar.filled) {
            const scale = Math.sqrt(Math.max(1, options.varHorizonBars));
            const var1 = prev.var99 / scale;
            if (meta.lastBar.logReturn < var1) {
              const severity: Severity = meta.lastBar.logReturn < prev.es99 / scale ? 'CRITICAL' : 'WARNING';
              // The breach itself leads the explanation: the realised return and how far past
              // the VaR it went; the model's drivers follow when they were computed for this bar.
              const breach = {
                feature: 'logReturn',
                value: meta.lastBar.logReturn,
                contribution: meta.lastBar.logReturn - var1,
              };
              riskAlert('VAR_BREACH', severity, meta.lastBar.logReturn, var1, [
                breach,
                ...item.riskExplanation.filter((c) => c.feature !== 'logReturn'),
              ]);
            }
          }
          prevVar.set(meta.symbol, { var99: score.var99, es99: score.es99 });

          // Anomaly score against its ladder, with hysteresis.
          const an = stateFor(`${meta.symbol}|ANOMALY`, ladders.anomaly).step(item.anomaly.score);
          if (an.fire) {
            const id = alertId(meta.symbol, 'ANOMALY', meta.barTime, score.anomalyModelVersion);
            const why = gate(`${meta.symbol}|ANOMALY`, id, meta.barTime, an.fire);
            if (why) suppress(why);
            else {
              const alert: AnomalyAlert = {
                alertId: id,
                symbol: meta.symbol,
                severity: an.fire,
                barTime: meta.barTime,
                anomalyScore: item.anomaly.score,
                threshold: item.anomaly.threshold,
                smoothedError: item.anomaly.smoothedError,
                modelVersion: score.anomalyModelVersion,
                symbols: [],
                explanation: item.anomaly.contributions,
                macroContext: meta.macro,
                sentimentContext: meta.sentiment,
                createdAt: options.now(),
              };
              out.anomalyAlerts.push(alert);
            }
          } else if (an.held) suppress('hysteresis');
        }
        return out;
      }),
    );
  };
}
