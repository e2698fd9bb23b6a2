import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import avro from 'avsc';
import { RECORD_NAMES, type RecordName } from '../contracts/records.js';
import { SCHEMAS_DIR } from '../project-paths.js';
import { CodecError } from './codec-error.js';
import { crc64Avro } from './crc64-avro.js';
import { LOGICAL_TYPES } from './timestamp-millis-type.js';

export const NAMESPACE = 'risk.v1';

export interface WriterSchema {
  /** Short record name, e.g. MarketTick. */
  name: string;
  type: avro.Type;
  fingerprint: Buffer;
  /** JSON text of the schema as written (what a schema registry stores). */
  json: string;
}

type Registry = Record<string, avro.Type>;

/**
 * The project's Avro schemas: the current version of each record (the reader schemas) and every
 * writer schema this process can resolve from (current ones plus schemas/history/*.avsc).
 */
export class SchemaCatalog {
  private readonly registry: Registry = {};
  private readonly current = new Map<string, WriterSchema>();
  private readonly byFingerprint = new Map<string, WriterSchema>();
  private readonly resolvers = new Map<string, ReturnType<avro.Type['createResolver']>>();

  /** Reads the schemas/ directory of the package (or another directory, for tests). */
  static load(dir: string = SCHEMAS_DIR): SchemaCatalog {
    const catalog = new SchemaCatalog();
    for (const name of RECORD_NAMES) {
      const file = join(dir, `${name}.avsc`);
      if (!existsSync(file)) throw new Error(`schema file missing: expected ${file} for record ${name}`);
      catalog.addCurrent(name, readFileSync(file, 'utf8'));
    }
    const history = join(dir, 'history');
    if (existsSync(history)) {
      for (const file of readdirSync(history)
        .filter((f) => f.endsWith('.avsc'))
        .sort()) {
        catalog.addWriter(readFileSync(join(history, file), 'utf8'));
      }
    }
    return catalog;
  }

  private parse(json: string, registry: Registry): avro.Type {
    return avro.Type.forSchema(JSON.parse(json) as avro.Schema, { registry, logicalTypes: LOGICAL_TYPES });
  }

  private describe(name: string, type: avro.Type, json: string): WriterSchema {
    return { name, type, json, fingerprint: crc64Avro(JSON.stringify(type.schema())) };
  }

  private addCurrent(name: RecordName, json: string): void {
    const type = this.parse(json, this.registry);
    if (type.name !== `${NAMESPACE}.${name}`) {
      throw new Error(`schema for ${name}: expected record name ${NAMESPACE}.${name}, found ${type.name}`);
    }
    const schema = this.describe(name, type, json);
    this.current.set(name, schema);
    this.byFingerprint.set(schema.fingerprint.toString('hex'), schema);
  }

  /** Registers an older (or foreign) version of a record that incoming data may be written with. */
  addWriter(json: string): WriterSchema {
    const parsed = JSON.parse(json) as { name?: string; namespace?: string };
    const fullName = parsed.name?.includes('.')
      ? parsed.name
      : `${parsed.namespace ?? NAMESPACE}.${parsed.name}`;
    // Parse in a copy of the registry without this record so the old definition does not clash
    // with the current one, while shared named types (Severity, FeatureContribution) still resolve.
    const registry: Registry = { ...this.registry };
    delete registry[fullName];
    const type = this.parse(json, registry);
    const schema = this.describe(fullName.split('.').pop() as string, type, json);
    this.byFingerprint.set(schema.fingerprint.toString('hex'), schema);
    return schema;
  }

  reader(name: RecordName): WriterSchema {
    const schema = this.current.get(name);
    if (!schema) throw new Error(`no schema for record ${name}`);
    return schema;
  }

  byFingerprintHex(hex: string): WriterSchema | undefined {
    return this.byFingerprint.get(hex);
  }

  /** Deserializer for data written with `writer` and read as the current `name`. */
  resolve(name: RecordName, writer: WriterSchema): (body: Buffer) => unknown {
    const reader = this.reader(name);
    if (writer.type === reader.type) return (body) => reader.type.fromBuffer(body);
    const key = `${name}|${writer.fingerprint.toString('hex')}`;
    let resolver = this.resolvers.get(key);
    if (!resolver) {
      try {
        resolver = reader.type.createResolver(writer.type);
      } catch (err) {
        throw new CodecError(
          'schema_mismatch',
          `cannot read ${writer.name} written with fingerprint ${writer.fingerprint.toString('hex')} as ${name}: ${(err as Error).message}`,
          { cause: err },
        );
      }
      this.resolvers.set(key, resolver);
    }
    const r = resolver;
    return (body) => reader.type.fromBuffer(body, r);
  }

  names(): RecordName[] {
    return [...RECORD_NAMES];
  }
}
