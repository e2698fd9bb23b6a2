import { Presets, SingleBar } from 'cli-progress';
import type { ProgressCallback, TrainingProgress } from './training-progress.js';

export interface ProgressReporterOptions {
  /** Draw a progress bar (a TTY) or write one JSON object per line (logs, CI). */
  tty: boolean;
  /** Where lines go; the bar draws on process.stderr. */
  write: (line: string) => void;
}

export interface ProgressReporter {
  onProgress: ProgressCallback;
  /** Stops the bar if one is drawing (call on errors too). */
  close(): void;
}

/**
 * Reports training progress for people (one cli-progress bar per epoch plus a summary line per
 * epoch) or for machines (JSON lines with every event except per-batch ones).
 */
/** Trainers without a validation pass report NaN: say nothing rather than "NaN". */
function validationText(event: Extract<TrainingProgress, { kind: 'epoch' }>): string {
  if (Number.isNaN(event.validationLoss)) return '';
  const parts = Object.entries(event.validationParts).map(([k, v]) => `${k} ${round(v)}`);
  return ` validation ${round(event.validationLoss)}${parts.length > 0 ? ` (${parts.join(', ')})` : ''}`;
}

export function createProgressReporter(options: ProgressReporterOptions): ProgressReporter {
  if (!options.tty) {
    return {
      onProgress: (event) => {
        if (event.kind === 'batch') return;
        options.write(`${JSON.stringify({ time: new Date().toISOString(), ...event })}\n`);
      },
      close: () => {},
    };
  }
  let bar: SingleBar | null = null;
  const stop = () => {
    bar?.stop();
    bar = null;
  };
  const onProgress = (event: TrainingProgress) => {
    switch (event.kind) {
      case 'start':
        options.write(
          `training ${event.model}: ${event.trainSamples} train / ${event.validationSamples} validation samples, up to ${event.epochs} epochs; ${Object.entries(
            event.details,
          )
            .map(([k, v]) => `${k}=${typeof v === 'number' ? round(v) : v}`)
            .join(' ')}\n`,
        );
        return;
      case 'batch':
        if (bar === null) {
          bar = new SingleBar(
            { format: `epoch ${event.epoch} [{bar}] {value}/{total} loss {loss}`, stream: process.stderr },
            Presets.shades_classic,
          );
          bar.start(event.batchesPerEpoch, 0, { loss: '-' });
        }
        bar.update(event.batch, { loss: round(event.loss) });
        return;
      case 'epoch':
        stop();
        options.write(
          `epoch ${event.epoch}/${event.epochs}: train ${round(event.trainLoss)}${validationText(event)}${event.improved ? ' *' : ''} ${(event.elapsedMs / 1000).toFixed(1)}s\n`,
        );
        return;
      case 'early-stop':
        stop();
        options.write(`early stop after epoch ${event.epoch}: no improvement for ${event.patience} epochs\n`);
        return;
      case 'done':
        stop();
        options.write(
          `done: best epoch ${event.bestEpoch} of ${event.epochsRun}, validation loss ${round(event.bestValidationLoss)}, ${(event.elapsedMs / 1000).toFixed(1)}s\n`,
        );
        return;
    }
  };
  return { onProgress, close: stop };
}

function round(v: number): string {
  return Number.isFinite(v) ? v.toPrecision(4) : String(v);
}
