import type { Emission } from '../scorer/scored-item.js';

/** Running counts the demo shows in its status line and final summary. */
export class DemoStats {
  readonly startedAt: number;
  inputs = { ticks: 0, macro: 0, news: 0 };
  features = { bars: 0, sentiment: 0, macro: 0 };
  scores = 0;
  alerts = new Map<string, number>();
  suppressed = new Map<string, number>();
  deadLetters = new Map<string, number>();

  constructor(private readonly now: () => number) {
    this.startedAt = now();
  }

  addEmission(em: Emission): void {
    this.scores += em.scores.length;
    for (const a of em.riskAlerts) this.bump(this.alerts, `${a.alertType}/${a.severity}`);
    for (const a of em.anomalyAlerts) this.bump(this.alerts, `ANOMALY/${a.severity}`);
    for (const [reason, n] of Object.entries(em.suppressed)) this.bump(this.suppressed, reason, n ?? 0);
  }

  addDeadLetter(reason: string): void {
    this.bump(this.deadLetters, reason);
  }

  private bump(map: Map<string, number>, key: string, n = 1): void {
    map.set(key, (map.get(key) ?? 0) + n);
  }

  get inputTotal(): number {
    return this.inputs.ticks + this.inputs.macro + this.inputs.news;
  }

  get alertTotal(): number {
    let n = 0;
    for (const v of this.alerts.values()) n += v;
    return n;
  }

  get suppressedTotal(): number {
    let n = 0;
    for (const v of this.suppressed.values()) n += v;
    return n;
  }

  elapsedSeconds(): number {
    return Math.max(1e-3, (this.now() - this.startedAt) / 1000);
  }

  summary() {
    const seconds = this.elapsedSeconds();
    return {
      inputs: { ...this.inputs, total: this.inputTotal },
      features: { ...this.features },
      scores: this.scores,
      alerts: Object.fromEntries([...this.alerts].sort()),
      alertsTotal: this.alertTotal,
      suppressed: Object.fromEntries([...this.suppressed].sort()),
      deadLetters: Object.fromEntries([...this.deadLetters].sort()),
      seconds: Number(seconds.toFixed(2)),
      eventsPerSecond: Math.round(this.inputTotal / seconds),
    };
  }
}

export type DemoSummary = ReturnType<DemoStats['summary']>;
