import type { Codec } from '../../shared/codec/codec.js';
import type { NewsSentiment } from '../../shared/contracts/records.js';
import type { FeedTransform } from '../framework/feed-transform.js';
import type { Accepted, Work } from '../framework/ingest-event.js';
import { SentimentBook, type SentimentSettings } from './sentiment-book.js';

/** One SentimentFeature per accepted item (key symbol or "*"), produced with that item's ack. */
export class NewsTransform implements FeedTransform<NewsSentiment> {
  private readonly book: SentimentBook;

  constructor(
    settings: SentimentSettings,
    private readonly codec: Codec,
    private readonly outputTopic: string,
  ) {
    this.book = new SentimentBook(settings);
  }

  accept({ input, value }: Accepted<NewsSentiment>): Work[] {
    const feature = this.book.apply(value);
    return [
      {
        kind: 'produce',
        records: [
          {
            topic: this.outputTopic,
            key: feature.symbol,
            value: this.codec.encode('SentimentFeature', feature),
          },
        ],
        inputs: [input],
      },
    ];
  }

  watermark(): Work[] {
    return [];
  }

  flush(): Work[] {
    return [];
  }

  revoke(): void {}
}
