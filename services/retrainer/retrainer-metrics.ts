import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { DriftVerdict } from './drift-check.js';

export type CycleMetricOutcome = 'promoted' | 'rejected' | 'no-drift' | 'failed';

/**
 * The retrainer's Prometheus series. Labels are bounded: trigger and outcome are enums, feature
 * names come from the fixed feature lists, and champion_info keeps only the current version.
 */
export class RetrainerMetrics {
  readonly cycles: Counter<'trigger' | 'outcome'>;
  readonly driftPsi: Gauge<'feature'>;
  readonly trainingDuration: Histogram;
  readonly championInfo: Gauge<'version'>;
  readonly championAge: Gauge;
  private championSince: number | null = null;

  constructor(registry: Registry, now: () => number = Date.now) {
    this.cycles = new Counter({
      name: 'risk_retrainer_cycles_total',
      help: 'Retraining cycles by trigger (schedule, drift, manual) and outcome (promoted, rejected, no-drift, failed)',
      labelNames: ['trigger', 'outcome'],
      registers: [registry],
    });
    this.driftPsi = new Gauge({
      name: 'risk_retrainer_drift_psi',
      help: "Population stability index of recent values against the champion's training distribution, by feature (score = event probability)",
      labelNames: ['feature'],
      registers: [registry],
    });
    this.trainingDuration = new Histogram({
      name: 'risk_retrainer_training_duration_seconds',
      help: 'Wall time of the fine-tuning steps of a cycle (risk model and anomaly forecaster)',
      buckets: [1, 5, 15, 30, 60, 120, 300, 600, 1200, 3600],
      registers: [registry],
    });
    this.championInfo = new Gauge({
      name: 'risk_retrainer_champion_info',
      help: 'The risk model version CURRENT names (1)',
      labelNames: ['version'],
      registers: [registry],
    });
    const self = this;
    this.championAge = new Gauge({
      name: 'risk_retrainer_champion_age_seconds',
      help: 'Seconds since the current risk champion was promoted',
      registers: [registry],
      collect() {
        if (self.championSince !== null) this.set(Math.max(0, (now() - self.championSince) / 1000));
      },
    });
  }

  setChampion(version: string, promotedAt: number | null): void {
    this.championInfo.reset();
    this.championInfo.set({ version }, 1);
    this.championSince = promotedAt;
  }

  observeDrift(verdict: DriftVerdict): void {
    for (const f of verdict.features) {
      if (Number.isFinite(f.psi)) this.driftPsi.set({ feature: `${f.group}.${f.name}` }, f.psi);
    }
    if (verdict.score && Number.isFinite(verdict.score.psi)) {
      this.driftPsi.set({ feature: 'score' }, verdict.score.psi);
    }
  }
}
