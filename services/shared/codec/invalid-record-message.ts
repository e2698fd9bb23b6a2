import type avro from 'avsc';

/** Names the fields that do not fit the schema, for an error a human can act on. */
export function invalidRecordMessage(type: avro.Type, value: unknown): string {
  const problems: string[] = [];
  type.isValid(value, {
    errorHook: (path: string[], val: unknown, t: avro.Type) => {
      problems.push(
        `${path.join('.') || '(root)'}: expected ${String(t.typeName)}, got ${JSON.stringify(val)}`,
      );
    },
  });
  return problems.length > 0 ? problems.join('; ') : 'value does not match schema';
}
