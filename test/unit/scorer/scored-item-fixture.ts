import type { ScoredItem } from '../../../services/scorer/scored-item.js';
import { sampleRecords } from '../../fixtures/sample-records.js';

export interface ItemSpec {
  symbol?: string;
  barTime?: number;
  p?: number;
  anomaly?: number;
  logReturn?: number;
  var99?: number;
  es99?: number;
  acks?: string[];
}

/** A scored item with just the fields a test cares about; ack pushes the symbol|barTime to `acks`. */
export function item(spec: ItemSpec): ScoredItem {
  const symbol = spec.symbol ?? 'AAPL';
  const barTime = spec.barTime ?? 1;
  return {
    meta: {
      symbol,
      barTime,
      lastBar: { ...sampleRecords.MarketBar, symbol, barEnd: barTime, logReturn: spec.logReturn ?? 0 },
      macro: { 'US.VIX.CLOSE.zScore': 1 },
      sentiment: { ewmaSentiment: -0.2, marketEwmaSentiment: 0.1 },
      ack: () => spec.acks?.push(`${symbol}|${barTime}`),
    },
    score: {
      ...sampleRecords.RiskScore,
      id: `${symbol}|${barTime}|risk-1`,
      symbol,
      barTime,
      eventProbability: spec.p ?? 0,
      var99: spec.var99 ?? -0.1,
      es99: spec.es99 ?? -0.15,
      modelVersion: 'risk-1',
      anomalyModelVersion: 'anomaly-1',
    },
    riskExplanation: [{ feature: 'ewmaVol', value: 0.03, contribution: 0.2 }],
    anomaly: { score: spec.anomaly ?? 0, smoothedError: 1, threshold: 2, contributions: [] },
  };
}
