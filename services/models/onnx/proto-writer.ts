/**
 * The few protobuf wire-format primitives an ONNX ModelProto needs. Hand-rolled because ONNX
 * export is write-only, tiny and fixed: a schema compiler (protobufjs + onnx.proto) would be a
 * runtime dependency for ~60 lines of encoding.
 */
export type Field = Uint8Array;

const WIRE_VARINT = 0;
const WIRE_LEN = 2;
const WIRE_FIXED32 = 5;

function varint(value: number | bigint): number[] {
  // Negative int64 values are encoded as their 64-bit two's complement (10 bytes).
  let v = BigInt.asUintN(64, BigInt(value));
  const out: number[] = [];
  do {
    let byte = Number(v & 0x7fn);
    v >>= 7n;
    if (v !== 0n) byte |= 0x80;
    out.push(byte);
  } while (v !== 0n);
  return out;
}

function tag(field: number, wire: number): number[] {
  return varint((field << 3) | wire);
}

export function intField(field: number, value: number | bigint): Field {
  return Uint8Array.from([...tag(field, WIRE_VARINT), ...varint(value)]);
}

export function floatField(field: number, value: number): Field {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setFloat32(0, value, true);
  return concat([Uint8Array.from(tag(field, WIRE_FIXED32)), b]);
}

export function bytesField(field: number, bytes: Uint8Array): Field {
  return concat([Uint8Array.from([...tag(field, WIRE_LEN), ...varint(bytes.length)]), bytes]);
}

export function stringField(field: number, value: string): Field {
  return bytesField(field, new TextEncoder().encode(value));
}

/** An embedded message: its fields concatenated, length-delimited. */
export function messageField(field: number, parts: readonly Field[]): Field {
  return bytesField(field, concat(parts));
}

export function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
