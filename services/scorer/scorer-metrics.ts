import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { Emission } from './scored-item.js';

/** The scorer's Prometheus series; no symbol labels (bounded cardinality). */
export class ScorerMetrics {
  readonly sequences: Counter;
  readonly batchSize: Histogram;
  readonly inference: Histogram;
  readonly alerts: Counter<'type' | 'severity'>;
  readonly suppressed: Counter<'reason'>;
  readonly modelInfo: Gauge<'model' | 'version'>;
  readonly swapErrors: Counter<'model'>;
  readonly varScale: Gauge<'level'>;

  constructor(registry: Registry) {
    this.sequences = new Counter({
      name: 'risk_scorer_sequences_total',
      help: 'Sequences scored',
      registers: [registry],
    });
    this.batchSize = new Histogram({
      name: 'risk_scorer_batch_size',
      help: 'Sequences per scored batch',
      buckets: [1, 8, 32, 64, 128, 256, 512, 1024],
      registers: [registry],
    });
    this.inference = new Histogram({
      name: 'risk_scorer_inference_seconds',
      help: 'Model inference time per batch (both models, explanations included)',
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers: [registry],
    });
    this.alerts = new Counter({
      name: 'risk_scorer_alerts_total',
      help: 'Alerts emitted by type and severity',
      labelNames: ['type', 'severity'],
      registers: [registry],
    });
    this.suppressed = new Counter({
      name: 'risk_scorer_alerts_suppressed_total',
      help: 'Alerts not emitted, by reason (cooldown, hysteresis, dedupe, grouped)',
      labelNames: ['reason'],
      registers: [registry],
    });
    this.modelInfo = new Gauge({
      name: 'risk_scorer_model_info',
      help: 'Model versions being served (1 = current)',
      labelNames: ['model', 'version'],
      registers: [registry],
    });
    this.swapErrors = new Counter({
      name: 'risk_scorer_model_swap_errors_total',
      help: 'Bundles that failed to load or verify; the previous model kept serving',
      labelNames: ['model'],
      registers: [registry],
    });
    this.varScale = new Gauge({
      name: 'risk_scorer_var_scale',
      help: 'Adaptive VaR scale: served VaR / model VaR, by level (95, 99); 1 = the head as trained',
      labelNames: ['level'],
      registers: [registry],
    });
  }

  observeVarScale(scales: { var95: number; var99: number }): void {
    this.varScale.set({ level: '95' }, scales.var95);
    this.varScale.set({ level: '99' }, scales.var99);
  }

  observeBatch(size: number, seconds: number): void {
    this.sequences.inc(size);
    this.batchSize.observe(size);
    this.inference.observe(seconds);
  }

  observeEmission(em: Emission): void {
    for (const a of em.riskAlerts) this.alerts.inc({ type: a.alertType, severity: a.severity });
    for (const a of em.anomalyAlerts) this.alerts.inc({ type: 'ANOMALY', severity: a.severity });
    for (const [reason, n] of Object.entries(em.suppressed)) if (n) this.suppressed.inc({ reason }, n);
  }

  setVersions(risk: string, anomaly: string): void {
    this.modelInfo.reset();
    this.modelInfo.set({ model: 'risk', version: risk }, 1);
    this.modelInfo.set({ model: 'anomaly', version: anomaly }, 1);
  }
}
