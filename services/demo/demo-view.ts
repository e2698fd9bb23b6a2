import type { AnomalyAlert, RiskAlert } from '../shared/contracts/records.js';
import type { DemoStats, DemoSummary } from './demo-stats.js';

export interface DemoView {
  alert(a: RiskAlert | AnomalyAlert): void;
  status(stats: DemoStats): void;
  summary(s: DemoSummary, extra: Record<string, unknown>): void;
}

const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);
const typeOf = (a: RiskAlert | AnomalyAlert) => ('alertType' in a ? a.alertType : 'ANOMALY');
const scoreOf = (a: RiskAlert | AnomalyAlert) => ('alertType' in a ? a.score : a.anomalyScore);
const reasons = (a: RiskAlert | AnomalyAlert) =>
  a.explanation
    .slice(0, 3)
    .map(
      (c) =>
        `${c.feature}=${c.value.toPrecision(3)} (${c.contribution >= 0 ? '+' : ''}${c.contribution.toPrecision(2)})`,
    )
    .join(', ');

const COLOURS = { INFO: '\x1b[36m', WARNING: '\x1b[33m', CRITICAL: '\x1b[31;1m' } as const;
const RESET = '\x1b[0m';

/** A person at a terminal: alert lines as they fire, one status line redrawn in place. */
export class TtyDemoView implements DemoView {
  private lastStatus = 0;

  constructor(private readonly out: NodeJS.WriteStream) {}

  alert(a: RiskAlert | AnomalyAlert): void {
    const who =
      a.symbol === '*'
        ? `* (${a.symbols.length}: ${a.symbols.slice(0, 6).join(' ')}${a.symbols.length > 6 ? ' …' : ''})`
        : a.symbol;
    const line = `${day(a.barTime)}  ${COLOURS[a.severity]}${a.severity.padEnd(8)}${RESET} ${typeOf(a).padEnd(11)} ${who.padEnd(6)} score ${scoreOf(a).toFixed(3)}  ${reasons(a)}`;
    this.out.write(`\r\x1b[2K${line}\n`);
  }

  status(s: DemoStats): void {
    const now = Date.now();
    if (now - this.lastStatus < 100) return;
    this.lastStatus = now;
    const rate = Math.round(s.inputTotal / s.elapsedSeconds());
    this.out.write(
      `\r\x1b[2K${rate} events/s | bars ${s.features.bars} | scores ${s.scores} | alerts ${s.alertTotal} | suppressed ${s.suppressedTotal}`,
    );
  }

  summary(s: DemoSummary, extra: Record<string, unknown>): void {
    const lines = [
      '',
      'Summary',
      `  inputs       ticks ${s.inputs.ticks}, macro ${s.inputs.macro}, news ${s.inputs.news} (${s.inputs.total})`,
      `  features     bars ${s.features.bars}, sentiment ${s.features.sentiment}, macro ${s.features.macro}`,
      `  scores       ${s.scores}`,
      `  alerts       ${s.alertsTotal}: ${fmt(s.alerts)}`,
      `  suppressed   ${fmt(s.suppressed)}`,
      `  dead letters ${fmt(s.deadLetters)}`,
      `  throughput   ${s.eventsPerSecond} events/s over ${s.seconds} s`,
      ...Object.entries(extra).map(([k, v]) => `  ${k.padEnd(12)} ${String(v)}`),
    ];
    this.out.write(`\r\x1b[2K${lines.join('\n')}\n`);
  }
}

const fmt = (m: Record<string, number>) =>
  Object.keys(m).length === 0
    ? 'none'
    : Object.entries(m)
        .map(([k, v]) => `${k} ${v}`)
        .join(', ');

/** Anything else (a pipe, CI): one JSON object a line. */
export class JsonDemoView implements DemoView {
  private lastStatus = 0;

  constructor(private readonly out: NodeJS.WritableStream) {}

  alert(a: RiskAlert | AnomalyAlert): void {
    this.out.write(`${JSON.stringify({ event: 'alert', type: typeOf(a), ...a })}\n`);
  }

  status(s: DemoStats): void {
    const now = Date.now();
    if (now - this.lastStatus < 2_000) return;
    this.lastStatus = now;
    this.out.write(
      `${JSON.stringify({ event: 'status', eventsPerSecond: Math.round(s.inputTotal / s.elapsedSeconds()), bars: s.features.bars, scores: s.scores, alerts: s.alertTotal, suppressed: s.suppressedTotal })}\n`,
    );
  }

  summary(s: DemoSummary, extra: Record<string, unknown>): void {
    this.out.write(`${JSON.stringify({ event: 'summary', ...s, ...extra })}\n`);
  }
}
