import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import avro from 'avsc';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CodecError } from '../../../services/shared/codec/codec-error.js';
import type { ConfluentCodec } from '../../../services/shared/codec/confluent-codec.js';
import { createCodec } from '../../../services/shared/codec/create-codec.js';
import { SchemaCatalog } from '../../../services/shared/codec/schema-catalog.js';
import type { RecordName, RecordTypes } from '../../../services/shared/contracts/records.js';
import { SCHEMAS_DIR } from '../../../services/shared/project-paths.js';
import { sampleRecords } from '../../fixtures/sample-records.js';

/**
 * The endpoints of the Confluent Schema Registry REST API the codec uses (subject compatibility,
 * register a subject version, fetch a schema by id), so the real registry client runs over real HTTP. A genuine
 * registry needs Kafka and a JVM, which these machines do not have.
 */
function registryServer(): { server: Server; requests: string[] } {
  const schemas: string[] = [];
  const requests: string[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => {
      body += c.toString('utf8');
    });
    req.on('end', () => {
      requests.push(`${req.method} ${req.url}`);
      const reply = (status: number, json: unknown) => {
        res.writeHead(status, { 'content-type': 'application/vnd.schemaregistry.v1+json' });
        res.end(JSON.stringify(json));
      };
      const register = req.url?.match(/^\/subjects\/([^/]+)\/versions$/);
      if (req.method === 'POST' && register) {
        const { schema } = JSON.parse(body) as { schema: string };
        let id = schemas.indexOf(schema) + 1;
        if (id === 0) id = schemas.push(schema);
        return reply(200, { id });
      }
      // The client sets each subject's compatibility level before registering.
      if (req.method === 'PUT' && req.url?.startsWith('/config/')) return reply(200, JSON.parse(body));
      const byId = req.url?.match(/^\/schemas\/ids\/(\d+)$/);
      if (req.method === 'GET' && byId) {
        const schema = schemas[Number(byId[1]) - 1];
        return schema
          ? reply(200, { schema })
          : reply(404, { error_code: 40403, message: 'Schema not found' });
      }
      reply(404, { error_code: 404, message: `no route ${req.method} ${req.url}` });
    });
  });
  return { server, requests };
}

describe('Confluent wire format codec (schemaRegistryUrl set)', () => {
  let url: string;
  let registry: ReturnType<typeof registryServer>;
  beforeAll(async () => {
    registry = registryServer();
    await new Promise<void>((r) => registry.server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(registry.server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise((r) => registry.server.close(r));
  });

  it('registers every schema under its record name and round-trips each record type', async () => {
    const codec = await createCodec({ schemaRegistryUrl: url });
    expect(codec.format).toBe('confluent');
    expect(registry.requests).toContain('POST /subjects/risk.v1.MarketTick/versions');
    for (const [name, value] of Object.entries(sampleRecords) as [RecordName, RecordTypes[RecordName]][]) {
      const bytes = codec.encode(name, value);
      expect(bytes[0]).toBe(0);
      expect(bytes.readUInt32BE(1)).toBeGreaterThan(0);
      expect(codec.decode(name, bytes)).toEqual(value);
    }
  });

  it('learns a writer schema by id from the registry and resolves it against the reader', async () => {
    const writerSide = await createCodec({ schemaRegistryUrl: url });
    const bytes = writerSide.encode('MarketTick', sampleRecords.MarketTick);
    // A second process (fresh catalog) has registered the same schemas: same ids, decodes at once.
    const readerSide = (await createCodec({
      schemaRegistryUrl: url,
      catalog: SchemaCatalog.load(),
    })) as ConfluentCodec;
    await readerSide.learn(bytes);
    expect(readerSide.decode('MarketTick', bytes)).toEqual(sampleRecords.MarketTick);
  });

  it('reads a record written with an older schema version registered by another producer', async () => {
    const current = JSON.parse(readFileSync(join(SCHEMAS_DIR, 'NewsSentiment.avsc'), 'utf8'));
    const old = {
      ...current,
      fields: current.fields.filter((f: { name: string }) => f.name !== 'confidence'),
    };
    const res = await fetch(`${url}/subjects/risk.v1.NewsSentiment/versions`, {
      method: 'POST',
      headers: { 'content-type': 'application/vnd.schemaregistry.v1+json' },
      body: JSON.stringify({ schema: JSON.stringify(old) }),
    });
    const { id } = (await res.json()) as { id: number };
    const { confidence: _omit, ...oldValue } = sampleRecords.NewsSentiment;
    const header = Buffer.alloc(5);
    header.writeUInt32BE(id, 1);
    const bytes = Buffer.concat([header, avro.Type.forSchema(old).toBuffer(oldValue)]);
    const codec = (await createCodec({ schemaRegistryUrl: url })) as ConfluentCodec;
    expect(() => codec.decode('NewsSentiment', bytes)).toThrow(CodecError);
    await codec.learn(bytes);
    expect(codec.decode('NewsSentiment', bytes)).toEqual({ ...oldValue, confidence: null });
  });

  it('gives typed errors for foreign bytes and unknown schema ids', async () => {
    const codec = (await createCodec({ schemaRegistryUrl: url })) as ConfluentCodec;
    const foreign = Buffer.from([0xc3, 0x01, 1, 2, 3, 4, 5, 6, 7, 8]);
    expect(() => codec.decode('MarketTick', foreign)).toThrow(CodecError);
    expect(() => codec.decode('MarketTick', foreign)).toThrow(/expected Confluent wire format/);
    const unknown = Buffer.from([0, 0, 0, 0x03, 0xe7, 1, 2]);
    expect(() => codec.decode('MarketTick', unknown)).toThrow(/schema id 999 is not known yet/);
    await expect(codec.learn(unknown)).rejects.toThrow(/schema id 999 not found in the registry/);
  });
});
