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
    database: z.string().default('risk'),
    retentionPolicy: z.string().optional(),
    username: z.string().optional(),
    password: z.string().optional(),
    batchSize: z.number().int().positive().default(5_000),
    flushIntervalMs: z.number().int().positive().default(1_000),
    /** Lines held while InfluxDB is unreachable; beyond it the oldest are dropped and counted. */
    maxBufferLines: z.number().int().positive().default(200_000),
    maxRetries: z.number().int().nonnegative().default(8),
    retryBaseMs: z.number().int().positive().default(200),
    retryMaxMs: z.number().int().positive().default(15_000),
    timeoutMs: z.number().int().positive().default(10_000),
  })
  .prefault({})
  .superRefine((c, ctx) => {
    if (c.enabled && c.apiVersion === '2') {
      for (const field of ['token', 'org', 'bucket'] as const) {
        if (!c[field])
          ctx.addIssue({ code: 'custom', path: [field], message: `required when apiVersion is 2` });
      }
    }
  });

export type InfluxConfig = z.infer<typeof influxConfig>;
