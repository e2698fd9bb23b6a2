import type { SchemaRegistry } from '@kafkajs/confluent-schema-registry';
import type avro from 'avsc';
import type { RecordName, RecordTypes } from '../contracts/records.js';
import type { Codec } from './codec.js';
import { CodecError } from './codec-error.js';
import { invalidRecordMessage } from './invalid-record-message.js';
import { NAMESPACE, type SchemaCatalog, type WriterSchema } from './schema-catalog.js';

const MAGIC = 0x00;
const HEADER = 5;

/**
 * Confluent wire format: magic byte 0, 4-byte big-endian schema id, Avro body. Schemas are
 * registered under the record-name strategy (subject risk.v1.MarketTick) because one record type
 * may travel on several topics (e.g. DeadLetter). Writer schemas seen on the wire are fetched from
 * the registry once (learn) and resolved against the current reader schema.
 */
export class ConfluentCodec implements Codec {
  readonly format = 'confluent' as const;
  private readonly ids = new Map<RecordName, number>();
  private readonly headers = new Map<RecordName, Buffer>();
  private readonly writers = new Map<number, WriterSchema>();

  constructor(
    private readonly catalog: SchemaCatalog,
    private readonly registry: Pick<SchemaRegistry, 'register' | 'getSchema'>,
  ) {}

  /** Registers every current schema; must complete before encode. */
  async init(): Promise<void> {
    for (const name of this.catalog.names()) {
      const reader = this.catalog.reader(name);
      const schema = reader.type.schema({ exportAttrs: true }) as avro.Schema;
      // The registry client's typings want its own schema type; the JSON is the same.
      const { id } = await this.registry.register(schema as never, { subject: `${NAMESPACE}.${name}` });
      this.ids.set(name, id);
      this.writers.set(id, reader);
      const header = Buffer.alloc(HEADER);
      header.writeUInt8(MAGIC, 0);
      header.writeUInt32BE(id, 1);
      this.headers.set(name, header);
    }
  }

  encode<N extends RecordName>(name: N, value: RecordTypes[N]): Buffer {
    const header = this.headers.get(name);
    if (!header)
      throw new Error(`ConfluentCodec.encode(${name}) before init(): the schema is not registered yet`);
    const { type } = this.catalog.reader(name);
    try {
      return Buffer.concat([header, type.toBuffer(value)]);
    } catch (err) {
      throw new CodecError('invalid_record', `${name}: ${invalidRecordMessage(type, value)}`, { cause: err });
    }
  }

  private schemaId(name: string, bytes: Buffer): number {
    if (bytes.length < HEADER || bytes[0] !== MAGIC) {
      throw new CodecError(
        'bad_magic',
        `${name}: expected Confluent wire format (magic 0 + 4-byte schema id), got ${bytes.length} bytes starting ${bytes.subarray(0, 4).toString('hex') || '(empty)'}`,
      );
    }
    return bytes.readUInt32BE(1);
  }

  decode<N extends RecordName>(name: N, bytes: Buffer): RecordTypes[N] {
    const id = this.schemaId(name, bytes);
    const writer = this.writers.get(id);
    if (!writer) throw new CodecError('unknown_schema_id', `${name}: schema id ${id} is not known yet`);
    const read = this.catalog.resolve(name, writer);
    try {
      return read(bytes.subarray(HEADER)) as RecordTypes[N];
    } catch (err) {
      throw new CodecError('undecodable', `${name}: body does not decode: ${(err as Error).message}`, {
        cause: err,
      });
    }
  }

  async learn(bytes: Buffer): Promise<void> {
    const id = this.schemaId('record', bytes);
    if (this.writers.has(id)) return;
    let schema: avro.Type;
    try {
      schema = (await this.registry.getSchema(id)) as unknown as avro.Type;
    } catch (err) {
      throw new CodecError('unknown_schema_id', `schema id ${id} not found in the registry`, { cause: err });
    }
    this.writers.set(id, this.catalog.addWriter(JSON.stringify(schema.schema({ exportAttrs: true }))));
  }
}
