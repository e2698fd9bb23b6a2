import type { RecordName, RecordTypes } from '../contracts/records.js';
import type { Codec } from './codec.js';
import { CodecError } from './codec-error.js';
import { invalidRecordMessage } from './invalid-record-message.js';
import type { SchemaCatalog } from './schema-catalog.js';

const MAGIC_0 = 0xc3;
const MAGIC_1 = 0x01;
const HEADER = 10;

/** Avro single-object encoding: C3 01, the writer schema's CRC-64-AVRO fingerprint (LE), body. */
export class SingleObjectCodec implements Codec {
  readonly format = 'single-object' as const;
  private readonly headers = new Map<string, Buffer>();

  constructor(private readonly catalog: SchemaCatalog) {}

  private header(name: RecordName): Buffer {
    let h = this.headers.get(name);
    if (!h) {
      h = Buffer.concat([Buffer.from([MAGIC_0, MAGIC_1]), this.catalog.reader(name).fingerprint]);
      this.headers.set(name, h);
    }
    return h;
  }

  encode<N extends RecordName>(name: N, value: RecordTypes[N]): Buffer {
    const { type } = this.catalog.reader(name);
    let body: Buffer;
    try {
      body = type.toBuffer(value);
    } catch (err) {
      throw new CodecError('invalid_record', `${name}: ${invalidRecordMessage(type, value)}`, { cause: err });
    }
    return Buffer.concat([this.header(name), body]);
  }

  decode<N extends RecordName>(name: N, bytes: Buffer): RecordTypes[N] {
    if (bytes.length < HEADER || bytes[0] !== MAGIC_0 || bytes[1] !== MAGIC_1) {
      throw new CodecError(
        'bad_magic',
        `${name}: expected Avro single-object encoding (C3 01 + 8-byte fingerprint), got ${bytes.length} bytes starting ${bytes.subarray(0, 4).toString('hex') || '(empty)'}`,
      );
    }
    const fp = bytes.subarray(2, HEADER).toString('hex');
    const writer = this.catalog.byFingerprintHex(fp);
    if (!writer) {
      throw new CodecError('unknown_fingerprint', `${name}: no known writer schema has fingerprint ${fp}`);
    }
    const read = this.catalog.resolve(name, writer);
    try {
      return read(bytes.subarray(HEADER)) as RecordTypes[N];
    } catch (err) {
      throw new CodecError('undecodable', `${name}: body does not decode: ${(err as Error).message}`, {
        cause: err,
      });
    }
  }

  async learn(): Promise<void> {}
}
