/** The files of a model bundle directory; manifest.json lists the sha256 of every other one. */
export const BUNDLE_FILES = {
  model: 'model.json',
  weights: 'weights.bin',
  scaler: 'scaler.json',
  features: 'features.json',
  calibration: 'calibration.json',
  metadata: 'metadata.json',
  manifest: 'manifest.json',
} as const;

/** Files that must be listed in (and match) the manifest for a bundle to load. */
export const REQUIRED_BUNDLE_FILES: readonly string[] = [
  BUNDLE_FILES.model,
  BUNDLE_FILES.weights,
  BUNDLE_FILES.scaler,
  BUNDLE_FILES.features,
  BUNDLE_FILES.calibration,
  BUNDLE_FILES.metadata,
];
