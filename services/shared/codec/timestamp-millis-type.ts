import avro from 'avsc';

/**
 * timestamp-millis as epoch milliseconds (a number) on both sides. avsc would otherwise pass
 * the logical type through untouched on some paths and Date objects on others; registering it
 * makes every decoder in the project agree. Date values are accepted on encode for convenience.
 */
export class TimestampMillisType extends avro.types.LogicalType {
  protected override _fromValue(val: unknown): number {
    return Number(val);
  }

  protected override _toValue(val: unknown): number | undefined {
    if (val instanceof Date) return val.getTime();
    if (typeof val === 'number' && Number.isFinite(val)) return val;
    return undefined;
  }

  protected override _resolve(type: avro.Type): ((v: unknown) => number) | undefined {
    if (avro.Type.isType(type, 'long', 'int', 'logical:timestamp-millis')) return (v) => Number(v);
    return undefined;
  }
}

export const LOGICAL_TYPES = { 'timestamp-millis': TimestampMillisType };
