import { describe, expect, it } from 'vitest';
import { createProgressReporter } from '../../../services/models/training/progress-reporter.js';

describe('createProgressReporter', () => {
  it('writes one JSON line per event except batches when not on a TTY', () => {
    const lines: string[] = [];
    const reporter = createProgressReporter({ tty: false, write: (l) => lines.push(l) });
    reporter.onProgress({ kind: 'batch', epoch: 1, batch: 1, batchesPerEpoch: 2, loss: 0.5 });
    reporter.onProgress({
      kind: 'epoch',
      epoch: 1,
      epochs: 3,
      trainLoss: 0.5,
      validationLoss: 0.6,
      validationParts: { event: 0.4 },
      improved: true,
      elapsedMs: 10,
    });
    reporter.close();
    expect(lines).toHaveLength(1);
    expect(lines[0]!.endsWith('\n')).toBe(true);
    expect(JSON.parse(lines[0]!)).toMatchObject({ kind: 'epoch', epoch: 1, validationLoss: 0.6 });
  });

  it('writes readable summary lines on a TTY', () => {
    const lines: string[] = [];
    const reporter = createProgressReporter({ tty: true, write: (l) => lines.push(l) });
    reporter.onProgress({
      kind: 'done',
      bestEpoch: 2,
      epochsRun: 4,
      bestValidationLoss: 0.123456,
      elapsedMs: 1500,
    });
    expect(lines).toEqual(['done: best epoch 2 of 4, validation loss 0.1235, 1.5s\n']);
  });
});
