import { createWriteStream, mkdirSync, type WriteStream } from 'node:fs';
import { dirname } from 'node:path';
import type { AnomalyAlert, RiskAlert } from '../shared/contracts/records.js';

/** Every alert the demo raises, one JSON object a line, in the order they were produced. */
export class AlertsJsonl {
  private readonly out: WriteStream;
  count = 0;

  constructor(readonly path: string) {
    mkdirSync(dirname(path), { recursive: true });
    this.out = createWriteStream(path, { flags: 'w' });
  }

  write(kind: 'risk' | 'anomaly', alert: RiskAlert | AnomalyAlert): void {
    this.count++;
    this.out.write(`${JSON.stringify({ kind, ...alert })}\n`);
  }

  close(): Promise<void> {
    return new Promise((resolve, reject) =>
      this.out.end((err?: Error | null) => (err ? reject(err) : resolve())),
    );
  }
}
