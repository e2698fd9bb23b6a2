import { createHash } from 'node:crypto';
import type { NewsSentiment } from '../shared/contracts/records.js';
import { numberCell, parseCsv } from './csv-table.js';

export interface Tweet {
  text: string;
  /** 0 bearish, 1 bullish, 2 neutral. */
  label: number;
}

export const TWEET_SOURCE = 'twitter-financial-news';

/** Session window the pseudo-times fall in: 14:30-20:00 UTC, inside US hours all year. */
const SESSION_START_MS = (14 * 60 + 30) * 60_000;
const SESSION_SECONDS = 5.5 * 3_600;

const SENTIMENT_OF_LABEL: Record<number, number> = { 0: -1, 1: 1, 2: 0 };

export function parseTweets(text: string, source: string): Tweet[] {
  return parseCsv(text, source, ['text', 'label']).map((row) => {
    const label = numberCell(row, 'label', source);
    if (!(label in SENTIMENT_OF_LABEL)) {
      throw new Error(
        `${source}:${row.line}: label: expected 0 (bearish), 1 (bullish) or 2 (neutral), got ${label}`,
      );
    }
    return { text: row.cells.text as string, label };
  });
}

/** Upper-cased cashtags in order of appearance ($AAPL, $brk.b). */
export function cashtags(text: string): string[] {
  return [...text.matchAll(/\$([A-Za-z][A-Za-z.]{0,9})\b/g)].map((m) => (m[1] as string).toUpperCase());
}

export interface TweetConversion {
  items: NewsSentiment[];
  /** Tweets whose cashtags name only symbols outside the replay: about other companies, left out. */
  otherSymbols: number;
}

/**
 * Labelled tweets -> NewsSentiment. The data has no timestamps, so each tweet gets a deterministic
 * pseudo-time from a hash of its text: a trading day of the replay and a second within 14:30-20:00
 * UTC. Timing is therefore synthetic and sentiment features built from it are illustrative only.
 * The symbol is the first cashtag that names a replayed symbol (relevance 1); a tweet with no
 * cashtag is market-wide (symbol null, relevance 0.5); a tweet whose cashtags are all other
 * companies is left out. The id is a hash of the text, so identical tweets are duplicates.
 */
export function tweetsToNews(
  tweets: readonly Tweet[],
  symbols: ReadonlySet<string>,
  tradingDays: readonly number[],
): TweetConversion {
  const items: NewsSentiment[] = [];
  let otherSymbols = 0;
  if (tradingDays.length === 0) return { items, otherSymbols };
  for (const tweet of tweets) {
    const tags = cashtags(tweet.text);
    const symbol = tags.find((t) => symbols.has(t)) ?? null;
    if (tags.length > 0 && symbol === null) {
      otherSymbols++;
      continue;
    }
    const hash = createHash('sha256').update(tweet.text).digest();
    const day = tradingDays[hash.readUInt32BE(0) % tradingDays.length] as number;
    const second = hash.readUInt32BE(4) % SESSION_SECONDS;
    items.push({
      id: `tw-${hash.subarray(0, 8).toString('hex')}`,
      symbol,
      eventTime: day + SESSION_START_MS + second * 1_000,
      source: TWEET_SOURCE,
      headline: tweet.text,
      sentiment: SENTIMENT_OF_LABEL[tweet.label] as number,
      relevance: symbol === null ? 0.5 : 1,
      confidence: null,
    });
  }
  return { items, otherSymbols };
}
