import { SchemaRegistry } from '@kafkajs/confluent-schema-registry';
import type { Codec } from './codec.js';
import { ConfluentCodec } from './confluent-codec.js';
import { SchemaCatalog } from './schema-catalog.js';
import { SingleObjectCodec } from './single-object-codec.js';

export interface CodecOptions {
  /** When set, records use the Confluent wire format with this schema registry. */
  schemaRegistryUrl?: string | undefined;
  schemaRegistryUsername?: string | undefined;
  schemaRegistryPassword?: string | undefined;
  catalog?: SchemaCatalog;
}

export async function createCodec(options: CodecOptions = {}): Promise<Codec> {
  const catalog = options.catalog ?? SchemaCatalog.load();
  if (!options.schemaRegistryUrl) return new SingleObjectCodec(catalog);
  const auth =
    options.schemaRegistryUsername !== undefined
      ? { username: options.schemaRegistryUsername, password: options.schemaRegistryPassword ?? '' }
      : undefined;
  const registry = new SchemaRegistry({ host: options.schemaRegistryUrl, ...(auth ? { auth } : {}) });
  const codec = new ConfluentCodec(catalog, registry);
  await codec.init();
  return codec;
}
