import { z } from 'zod';

export const influxConfig = z
  .object({
    enabled: z.boolean().default(false),
    /** '1': InfluxDB 1.x /write with database and retention policy; '2': /api/v2/write (2.x and 3.x). */
    apiVersion: z.enum(['1', '2']).default('2'),
    url: z.url().default('http://127.0.0.1:8086'),
    token: z.string().optional(),
    org: z.string().optional(),
    bucket: z.string().optional(),
    database: z.string().min(1).default('risk'),
    retentionPolicy: z.string().optional(),
    username: z.string().optional(),
    password: z.string().optional(),
    /** A write request is sent as soon as this many lines wait, or every flushIntervalMs. */
    batchSize: z.number().int().positive().default(5_000),
    flushIntervalMs: z.number().int().positive().default(1_000),
    /** Lines held while InfluxDB is unreachable; beyond it the oldest are dropped and counted. */
    maxBufferLines: z.number().int().positive().default(200_000),
    /**
     * Consecutive failed attempts after which InfluxDB is reported unavailable (error log,
     * risk_influx_available 0). Lines are still held and retried every ~retryMaxMs until they are
     * delivered, pushed out by overflow, or the sink is closed.
     */
    maxRetries: z.number().int().nonnegative().default(8),
    retryBaseMs: z.number().int().positive().default(200),
    retryMaxMs: z.number().int().positive().default(15_000),
    /** One write request's deadline. */
    timeoutMs: z.number().int().positive().default(10_000),
    /** Default deadline of flush() and close(); what is still undelivered at close is counted and logged. */
    closeTimeoutMs: z.number().int().positive().default(15_000),
  })
  .prefault({})
  .superRefine((c, ctx) => {
    if (c.enabled && c.apiVersion === '2') {
      for (const field of ['token', 'org', 'bucket'] as const) {
        if (!c[field])
          ctx.addIssue({ code: 'custom', path: [field], message: `required when apiVersion is 2` });
      }
    }
    if (c.password !== undefined && !c.username) {
      ctx.addIssue({ code: 'custom', path: ['username'], message: 'required when password is set' });
    }
    if (c.retryMaxMs < c.retryBaseMs) {
      ctx.addIssue({
        code: 'custom',
        path: ['retryMaxMs'],
        message: `must be at least retryBaseMs (${c.retryBaseMs})`,
      });
    }
  });

export type InfluxConfig = z.infer<typeof influxConfig>;
