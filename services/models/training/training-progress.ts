/** What a training loop reports while it runs; shared by every model's trainer and reporter. */
export type TrainingProgress =
  | {
      kind: 'start';
      model: string;
      epochs: number;
      batchesPerEpoch: number;
      trainSamples: number;
      validationSamples: number;
      /** Anything model-specific worth one log line (positive rate, class weight...). */
      details: Record<string, number | string>;
    }
  | { kind: 'batch'; epoch: number; batch: number; batchesPerEpoch: number; loss: number }
  | {
      kind: 'epoch';
      epoch: number;
      epochs: number;
      trainLoss: number;
      validationLoss: number;
      /** Validation loss per head / term. */
      validationParts: Record<string, number>;
      improved: boolean;
      elapsedMs: number;
    }
  | { kind: 'early-stop'; epoch: number; bestEpoch: number; patience: number }
  | { kind: 'done'; bestEpoch: number; epochsRun: number; bestValidationLoss: number; elapsedMs: number };

export type ProgressCallback = (event: TrainingProgress) => void;
