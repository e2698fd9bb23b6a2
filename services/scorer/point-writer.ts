/** The part of the InfluxDB sink the scorer needs: buffered, never blocks, losses are counted. */
export interface PointWriter {
  writePoint(
    measurement: string,
    tags: Record<string, string>,
    fields: Record<string, number | string | boolean>,
    timeMs: number,
  ): void;
}
