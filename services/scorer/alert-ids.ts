/** Deterministic alert id, so a replay of the same bars under the same model dedupes downstream. */
export function alertId(symbol: string, type: string, barTime: number, modelVersion: string): string {
  return `${symbol}|${type}|${barTime}|${modelVersion}`;
}
