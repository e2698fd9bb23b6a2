const SECRET = /password|token|secret|sasl.*key/i;

export function isSecretPath(path: readonly string[]): boolean {
  return path.some((p) => SECRET.test(p));
}

/** A deep copy with every secret value replaced, safe to print or log. */
export function redact<T>(value: T, path: string[] = []): T {
  if (Array.isArray(value)) return value.map((v) => redact(v, path)) as T;
  if (typeof value === 'object' && value !== null) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      out[k] = isSecretPath([...path, k]) && v !== undefined ? '[redacted]' : redact(v, [...path, k]);
    }
    return out as T;
  }
  return value;
}
