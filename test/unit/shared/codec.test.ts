import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CodecError } from '../../../services/shared/codec/codec-error.js';
import { crc64Avro } from '../../../services/shared/codec/crc64-avro.js';
import { SchemaCatalog } from '../../../services/shared/codec/schema-catalog.js';
import { SingleObjectCodec } from '../../../services/shared/codec/single-object-codec.js';
import type { RecordName, RecordTypes } from '../../../services/shared/contracts/records.js';
import { SCHEMAS_DIR } from '../../../services/shared/project-paths.js';
import { sampleRecords } from '../../fixtures/sample-records.js';

const catalog = SchemaCatalog.load();
const codec = new SingleObjectCodec(catalog);

describe('CRC-64-AVRO', () => {
  it('matches the Avro specification test vectors', () => {
    // Fingerprints of primitive schemas as listed by the Java reference implementation.
    expect(crc64Avro('"int"').readBigInt64LE()).toBe(8247732601305521295n);
    expect(crc64Avro('"string"').readBigInt64LE()).toBe(-8142146995180207161n);
  });
});

describe('single-object codec', () => {
  for (const [name, value] of Object.entries(sampleRecords) as [RecordName, RecordTypes[RecordName]][]) {
    it(`round-trips ${name}`, () => {
      const bytes = codec.encode(name, value);
      expect(bytes.subarray(0, 2)).toEqual(Buffer.from([0xc3, 0x01]));
      expect(codec.decode(name, bytes)).toEqual(value);
    });
  }

  it('decodes timestamps as epoch-ms numbers and accepts Date on encode', () => {
    const tick = { ...sampleRecords.MarketTick, eventTime: new Date(1_500_000_000_000) as unknown as number };
    const decoded = codec.decode('MarketTick', codec.encode('MarketTick', tick));
    expect(decoded.eventTime).toBe(1_500_000_000_000);
  });

  it('reads a record written with an older schema (reader/writer resolution)', () => {
    const current = JSON.parse(readFileSync(join(SCHEMAS_DIR, 'NewsSentiment.avsc'), 'utf8'));
    const old = {
      ...current,
      fields: current.fields.filter((f: { name: string }) => f.name !== 'confidence'),
    };
    const local = SchemaCatalog.load();
    const writer = local.addWriter(JSON.stringify(old));
    const { confidence: _omit, ...oldValue } = sampleRecords.NewsSentiment;
    const bytes = Buffer.concat([
      Buffer.from([0xc3, 0x01]),
      writer.fingerprint,
      writer.type.toBuffer(oldValue),
    ]);
    const decoded = new SingleObjectCodec(local).decode('NewsSentiment', bytes);
    expect(decoded).toEqual({ ...oldValue, confidence: null });
  });

  it('rejects bytes without the marker as a typed error', () => {
    const err = catchError(() => codec.decode('MarketTick', Buffer.from('{"symbol":"AAPL"}')));
    expect(err).toBeInstanceOf(CodecError);
    expect((err as CodecError).code).toBe('bad_magic');
  });

  it('rejects an unknown fingerprint as a typed error', () => {
    const bytes = Buffer.concat([Buffer.from([0xc3, 0x01]), Buffer.alloc(8, 7), Buffer.from([1, 2])]);
    expect((catchError(() => codec.decode('MarketTick', bytes)) as CodecError).code).toBe(
      'unknown_fingerprint',
    );
  });

  it('rejects a truncated body as undecodable', () => {
    const bytes = codec.encode('MarketTick', sampleRecords.MarketTick);
    const err = catchError(() => codec.decode('MarketTick', bytes.subarray(0, bytes.length - 3)));
    expect((err as CodecError).code).toBe('undecodable');
  });

  it('names the bad field when a record does not fit its schema', () => {
    const bad = { ...sampleRecords.MarketTick, bid: 'cheap' } as unknown as RecordTypes['MarketTick'];
    const err = catchError(() => codec.encode('MarketTick', bad)) as CodecError;
    expect(err.code).toBe('invalid_record');
    expect(err.message).toContain('bid');
  });

  it('every schema field is documented', () => {
    for (const name of catalog.names()) {
      const schema = JSON.parse(readFileSync(join(SCHEMAS_DIR, `${name}.avsc`), 'utf8'));
      expect(schema.namespace).toBe('risk.v1');
      for (const field of schema.fields) expect(field.doc, `${name}.${field.name}`).toBeTruthy();
    }
  });
});

function catchError(fn: () => unknown): unknown {
  try {
    fn();
  } catch (err) {
    return err;
  }
  throw new Error('expected an error');
}
