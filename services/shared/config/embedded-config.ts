import { z } from 'zod';

/** The in-memory bus (transport: embedded). */
export const embeddedConfig = z
  .object({
    /**
     * Records kept per partition; 0 keeps every record for the process lifetime (the default: the
     * demo and `replay --to embedded` read whole topics back). Older records are dropped only once
     * every consumer is past them. A long-running embedded pipeline should set it, e.g. 20 000.
     */
    retainRecords: z.number().int().nonnegative().default(0),
  })
  .prefault({});

export type EmbeddedConfig = z.infer<typeof embeddedConfig>;
