/** Why a payload could not be decoded or encoded; stable codes end up as DLQ reasons. */
export type CodecErrorCode =
  | 'undecodable'
  | 'bad_magic'
  | 'unknown_fingerprint'
  | 'unknown_schema_id'
  | 'schema_mismatch'
  | 'invalid_record';

export class CodecError extends Error {
  override readonly name = 'CodecError';
  constructor(
    readonly code: CodecErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
