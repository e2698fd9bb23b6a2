/**
 * TypeScript shapes of the Avro contracts in schemas/. The schemas are the source of truth;
 * test/unit/contracts.test.ts checks that every field here exists there and vice versa.
 * Timestamps (logicalType timestamp-millis) are epoch milliseconds as numbers.
 */

export interface MarketTick {
  symbol: string;
  venue: string;
  eventTime: number;
  sequence: number;
  bid: number;
  ask: number;
  last: number;
  bidSize: number;
  askSize: number;
  lastSize: number;
  volume: number;
}

export interface MacroIndicator {
  indicatorId: string;
  country: string;
  releaseTime: number;
  periodEnd: number;
  actual: number;
  consensus: number | null;
  previous: number | null;
  unit: string;
}

export interface NewsSentiment {
  id: string;
  symbol: string | null;
  eventTime: number;
  source: string;
  headline: string | null;
  sentiment: number;
  relevance: number;
  confidence: number | null;
}

export interface FeatureContribution {
  feature: string;
  value: number;
  contribution: number;
}

export type Severity = 'INFO' | 'WARNING' | 'CRITICAL';

export interface RiskScore {
  id: string;
  symbol: string;
  barTime: number;
  eventProbability: number;
  volatilityForecast: number;
  var95: number;
  var99: number;
  es95: number;
  es99: number;
  anomalyScore: number;
  modelVersion: string;
  anomalyModelVersion: string;
  scoredAt: number;
}

export type RiskAlertType = 'RISK_EVENT' | 'VAR_BREACH' | 'MARKET_WIDE';

export interface RiskAlert {
  alertId: string;
  symbol: string;
  alertType: RiskAlertType;
  severity: Severity;
  barTime: number;
  score: number;
  threshold: number;
  modelVersion: string;
  symbols: string[];
  explanation: FeatureContribution[];
  macroContext: Record<string, number>;
  sentimentContext: Record<string, number>;
  createdAt: number;
}

export interface AnomalyAlert {
  alertId: string;
  symbol: string;
  severity: Severity;
  barTime: number;
  anomalyScore: number;
  threshold: number;
  smoothedError: number;
  modelVersion: string;
  symbols: string[];
  explanation: FeatureContribution[];
  macroContext: Record<string, number>;
  sentimentContext: Record<string, number>;
  createdAt: number;
}

export interface DeadLetter {
  originalTopic: string;
  originalPartition: number;
  originalOffset: number;
  originalKey: Buffer | null;
  originalValue: Buffer | null;
  errorCode: string;
  message: string;
  service: string;
  time: number;
}

export interface ModelUpdate {
  model: 'RISK' | 'ANOMALY';
  version: string;
  previousVersion: string | null;
  bundlePath: string;
  sha256: string;
  action: 'PROMOTE' | 'ROLLBACK';
  reason: string;
  metrics: Record<string, number>;
  time: number;
}

export interface MarketBar {
  id: string;
  symbol: string;
  barStart: number;
  barEnd: number;
  open: number;
  high: number;
  low: number;
  close: number;
  vwap: number;
  volume: number;
  trades: number;
  filled: boolean;
  logReturn: number;
  hlRange: number;
  ewmaVol: number;
  spreadBps: number;
  imbalance: number;
  volumeZ: number;
  volRatio: number;
  firstOffset: number | null;
}

export interface SentimentFeature {
  id: string;
  symbol: string;
  asOf: number;
  ewmaSentiment: number;
  intensity: number;
  negativeShock: number;
  halfLifeMs: number;
  items: number;
}

export interface MacroFeature {
  indicatorId: string;
  releaseTime: number;
  periodEnd: number;
  value: number;
  zScore: number;
  change: number;
  surprise: number | null;
}

/** Every record type that has a schema, by its Avro name (namespace risk.v1). */
export interface RecordTypes {
  MarketTick: MarketTick;
  MacroIndicator: MacroIndicator;
  NewsSentiment: NewsSentiment;
  FeatureContribution: FeatureContribution;
  RiskScore: RiskScore;
  RiskAlert: RiskAlert;
  AnomalyAlert: AnomalyAlert;
  DeadLetter: DeadLetter;
  ModelUpdate: ModelUpdate;
  MarketBar: MarketBar;
  SentimentFeature: SentimentFeature;
  MacroFeature: MacroFeature;
}

export type RecordName = keyof RecordTypes;

export const RECORD_NAMES: readonly RecordName[] = [
  'FeatureContribution',
  'MarketTick',
  'MacroIndicator',
  'NewsSentiment',
  'RiskScore',
  'RiskAlert',
  'AnomalyAlert',
  'DeadLetter',
  'ModelUpdate',
  'MarketBar',
  'SentimentFeature',
  'MacroFeature',
];
