import { z } from 'zod';

export const metricsConfig = z
  .object({
    enabled: z.boolean().default(true),
    host: z.string().default('127.0.0.1'),
    /** 0 picks a free port (printed at start). */
    port: z.number().int().min(0).max(65_535).default(9464),
  })
  .prefault({});

export const logConfig = z
  .object({
    level: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    pretty: z.enum(['auto', 'true', 'false']).default('auto'),
  })
  .prefault({});

export type MetricsConfig = z.infer<typeof metricsConfig>;
export type LogConfig = z.infer<typeof logConfig>;
