import type { RecordName, RecordTypes } from '../contracts/records.js';

/**
 * Turns records into Kafka value bytes and back. Implementations: single-object encoding
 * (default, self-describing with a CRC-64 fingerprint) and Confluent wire format (schema id
 * from a schema registry). decode throws CodecError, never anything else.
 */
export interface Codec {
  readonly format: 'single-object' | 'confluent';
  encode<N extends RecordName>(name: N, value: RecordTypes[N]): Buffer;
  decode<N extends RecordName>(name: N, bytes: Buffer): RecordTypes[N];
  /**
   * Makes a later decode of these bytes possible when their writer schema is not yet known
   * locally (fetches it from the registry). A no-op where nothing can be learned.
   */
  learn(bytes: Buffer): Promise<void>;
}
