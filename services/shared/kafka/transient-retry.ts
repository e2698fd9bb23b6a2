/**
 * Retries for the admin calls kafkajs does not retry itself. `admin.fetchTopicOffsets` bails on
 * every error but UNKNOWN_TOPIC_OR_PARTITION and `admin.fetchTopicMetadata` has no retry at all,
 * so one timed-out or dropped request (a loaded CI host, a broker restart) would otherwise end a
 * drain or a caught-up check that is only polling.
 */

/** True for errors kafkajs marks retriable and for the connection errors it does not mark. */
export function isRetriableKafkaError(err: unknown): boolean {
  const e = err as { retriable?: unknown; name?: unknown };
  return (
    e?.retriable === true ||
    e?.name === 'KafkaJSConnectionError' ||
    e?.name === 'KafkaJSConnectionClosedError' ||
    e?.name === 'KafkaJSRequestTimeoutError' ||
    e?.name === 'KafkaJSBrokerNotFound'
  );
}

export interface TransientRetryOptions {
  /** Attempts in all, the first included. */
  attempts: number;
  /** Wait before the second attempt; doubles after each failure. */
  initialDelayMs: number;
  /** Runs before each retry (e.g. a metadata refresh), its failure ignored. */
  beforeRetry?: (err: unknown, attempt: number) => Promise<void> | void;
  sleep?: (ms: number) => Promise<void>;
}

const realSleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Runs `call`, again after a backoff while it fails with a retriable Kafka error. */
export async function withTransientRetry<T>(
  call: () => Promise<T>,
  options: TransientRetryOptions,
): Promise<T> {
  const sleep = options.sleep ?? realSleep;
  for (let attempt = 1; ; attempt++) {
    try {
      return await call();
    } catch (err) {
      if (!isRetriableKafkaError(err) || attempt >= options.attempts) throw err;
      try {
        await options.beforeRetry?.(err, attempt);
      } catch {
        // The retry itself will report what is still wrong.
      }
      await sleep(options.initialDelayMs * 2 ** (attempt - 1));
    }
  }
}
