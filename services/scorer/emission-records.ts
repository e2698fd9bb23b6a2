import type { OutboundRecord } from '../shared/bus/transport.js';
import type { Codec } from '../shared/codec/codec.js';
import type { TopicsConfig } from '../shared/config/kafka-config.js';
import type { PointWriter } from './point-writer.js';
import type { Emission } from './scored-item.js';

/** Kafka records of an emission: scores, risk alerts and anomaly alerts, keyed by symbol. */
export function emissionRecords(em: Emission, codec: Codec, topics: TopicsConfig): OutboundRecord[] {
  const out: OutboundRecord[] = [];
  for (const s of em.scores) {
    out.push({
      topic: topics.scores.name,
      key: s.symbol,
      value: codec.encode('RiskScore', s),
      timestamp: s.barTime,
    });
  }
  for (const a of em.riskAlerts) {
    out.push({
      topic: topics.alerts.name,
      key: a.symbol,
      value: codec.encode('RiskAlert', a),
      timestamp: a.barTime,
      headers: { alertId: a.alertId },
    });
  }
  for (const a of em.anomalyAlerts) {
    out.push({
      topic: topics.anomalyAlerts.name,
      key: a.symbol,
      value: codec.encode('AnomalyAlert', a),
      timestamp: a.barTime,
      headers: { alertId: a.alertId },
    });
  }
  return out;
}

/**
 * InfluxDB points of an emission: measurements risk_score, anomaly_score, risk_alert and
 * anomaly_alert, tagged by symbol and model version (bounded: symbols x live versions).
 */
export function writeEmissionPoints(em: Emission, influx: PointWriter): void {
  for (const s of em.scores) {
    influx.writePoint(
      'risk_score',
      { symbol: s.symbol, model_version: s.modelVersion },
      {
        event_probability: s.eventProbability,
        volatility_forecast: s.volatilityForecast,
        var95: s.var95,
        var99: s.var99,
        es95: s.es95,
        es99: s.es99,
      },
      s.barTime,
    );
    influx.writePoint(
      'anomaly_score',
      { symbol: s.symbol, model_version: s.anomalyModelVersion },
      { anomaly_score: s.anomalyScore },
      s.barTime,
    );
  }
  for (const a of em.riskAlerts) {
    influx.writePoint(
      'risk_alert',
      { symbol: a.symbol, model_version: a.modelVersion, alert_type: a.alertType, severity: a.severity },
      {
        alert_id: a.alertId,
        score: a.score,
        threshold: a.threshold,
        top_feature: a.explanation[0]?.feature ?? '',
        symbols: a.symbols.join(','),
      },
      a.barTime,
    );
  }
  for (const a of em.anomalyAlerts) {
    influx.writePoint(
      'anomaly_alert',
      { symbol: a.symbol, model_version: a.modelVersion, severity: a.severity },
      {
        alert_id: a.alertId,
        anomaly_score: a.anomalyScore,
        smoothed_error: a.smoothedError,
        threshold: a.threshold,
        top_feature: a.explanation[0]?.feature ?? '',
        symbols: a.symbols.join(','),
      },
      a.barTime,
    );
  }
}
