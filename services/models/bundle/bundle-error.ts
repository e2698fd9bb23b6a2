export type BundleErrorCode =
  | 'MISSING_FILE'
  | 'CHECKSUM_MISMATCH'
  | 'INVALID_FILE'
  | 'FEATURE_MISMATCH'
  | 'SHAPE_MISMATCH'
  | 'BUNDLE_EXISTS';

/** A model bundle that cannot be written or must not be served; `code` is stable for callers. */
export class BundleError extends Error {
  override readonly name = 'BundleError';

  constructor(
    readonly code: BundleErrorCode,
    message: string,
  ) {
    super(message);
  }
}
