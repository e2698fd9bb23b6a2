import { describe, expect, it } from 'vitest';
import { isRetriableKafkaError, withTransientRetry } from '../../../services/shared/kafka/transient-retry.js';

const named = (name: string, retriable?: boolean) => Object.assign(new Error(name), { name, retriable });

describe('withTransientRetry', () => {
  it('retries retriable kafka errors with doubling waits, then returns the value', async () => {
    const waits: number[] = [];
    const refreshed: number[] = [];
    let calls = 0;
    const value = await withTransientRetry(
      async () => {
        calls++;
        if (calls === 1) throw named('KafkaJSRequestTimeoutError');
        if (calls === 2) throw named('KafkaJSProtocolError', true);
        return 'offsets';
      },
      {
        attempts: 5,
        initialDelayMs: 100,
        sleep: async (ms) => void waits.push(ms),
        beforeRetry: (_err, attempt) => void refreshed.push(attempt),
      },
    );
    expect(value).toBe('offsets');
    expect(waits).toEqual([100, 200]);
    expect(refreshed).toEqual([1, 2]);
  });

  it('throws a non-retriable error at once', async () => {
    let calls = 0;
    const call = withTransientRetry(
      async () => {
        calls++;
        throw named('KafkaJSNonRetriableError', false);
      },
      { attempts: 5, initialDelayMs: 1, sleep: async () => {} },
    );
    await expect(call).rejects.toThrow('KafkaJSNonRetriableError');
    expect(calls).toBe(1);
  });

  it('gives up after the last attempt with the last error, even if beforeRetry fails', async () => {
    let calls = 0;
    const call = withTransientRetry(
      async () => {
        calls++;
        throw named('KafkaJSConnectionError');
      },
      {
        attempts: 3,
        initialDelayMs: 1,
        sleep: async () => {},
        beforeRetry: () => {
          throw new Error('metadata refresh failed');
        },
      },
    );
    await expect(call).rejects.toThrow('KafkaJSConnectionError');
    expect(calls).toBe(3);
  });

  it('knows the connection errors kafkajs leaves unmarked', () => {
    expect(isRetriableKafkaError(named('KafkaJSConnectionClosedError'))).toBe(true);
    expect(isRetriableKafkaError(named('KafkaJSBrokerNotFound'))).toBe(true);
    expect(isRetriableKafkaError(new Error('bad schema'))).toBe(false);
    expect(isRetriableKafkaError(undefined)).toBe(false);
  });
});
