import { dateToProtocolTimestamp, Point } from '@influxdata/influxdb-client';

/**
 * A field value. `number` is always written as a float, so a field never changes type between
 * points (InfluxDB rejects the whole write on a type conflict); use `bigint` for an integer field.
 */
export type FieldValue = number | bigint | boolean | string;
export type Tags = Readonly<Record<string, string | undefined>>;
export type Fields = Readonly<Record<string, FieldValue | null | undefined>>;

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

export type LineResult = { ok: true; line: string } | { ok: false; reason: string };

/**
 * Point timestamps in milliseconds, the precision the sink writes with. A Date is exact; a number
 * is taken as epoch ms; a string is passed through (the caller's own ms value, or '' to let the server
 * stamp it); no timestamp means now.
 */
export function msTimestamp(value: string | number | Date | undefined): string | undefined {
  if (value === undefined) return String(Date.now());
  if (value instanceof Date) return dateToProtocolTimestamp.ms(value);
  if (typeof value === 'number') return String(Math.trunc(value));
  return value === '' ? undefined : value;
}

/**
 * Builds one line of line protocol (ms precision) with the client library's Point, which escapes
 * measurement, tag and field names and sorts tags (what InfluxDB prefers). Non-finite numbers are
 * left out (InfluxDB has no NaN); empty tag values are left out (line protocol cannot carry them).
 */
export function toLine(measurement: string, tags: Tags, fields: Fields, timestampMs: number): LineResult {
  if (measurement === '') return { ok: false, reason: 'empty measurement name' };
  if (!Number.isFinite(timestampMs)) {
    return { ok: false, reason: `timestamp must be finite epoch ms, got ${timestampMs}` };
  }
  const point = new Point(measurement);
  for (const [k, v] of Object.entries(tags)) if (k !== '' && v !== undefined && v !== '') point.tag(k, v);
  let skipped = 0;
  for (const [k, v] of Object.entries(fields)) {
    if (k === '' || v === null || v === undefined) continue;
    switch (typeof v) {
      case 'number':
        if (Number.isFinite(v)) point.floatField(k, v);
        else skipped++;
        break;
      case 'bigint':
        if (v < INT64_MIN || v > INT64_MAX) {
          return { ok: false, reason: `field ${k}: integer ${v} is outside int64` };
        }
        // Point.intField goes through a JS number and would round beyond 2^53: write it ourselves.
        point.fields[k] = `${v}i`;
        break;
      case 'boolean':
        point.booleanField(k, v);
        break;
      default:
        point.stringField(k, v);
    }
  }
  point.timestamp(Math.trunc(timestampMs));
  const line = point.toLineProtocol({ convertTime: msTimestamp });
  if (line === undefined) {
    return {
      ok: false,
      reason:
        skipped > 0
          ? `measurement ${measurement}: every field was NaN or infinite`
          : `measurement ${measurement}: no fields`,
    };
  }
  return { ok: true, line };
}

/** Serialises a library Point at ms precision; undefined when it has no name or no fields. */
export function pointToLine(point: Point): string | undefined {
  return point.toLineProtocol({ convertTime: msTimestamp });
}
