import type { Codec } from '../../shared/codec/codec.js';
import type { MacroIndicator } from '../../shared/contracts/records.js';
import type { FeedTransform } from '../framework/feed-transform.js';
import type { Accepted, Work } from '../framework/ingest-event.js';
import { MacroFeatureCalculator, type MacroSettings } from './macro-feature-calculator.js';

/** The compaction key of risk.features.macro: revisions of a period replace each other, periods stay. */
export const macroFeatureKey = (f: { indicatorId: string; periodEnd: number }): string =>
  `${f.indicatorId}|${f.periodEnd}`;

/** One MacroFeature per accepted release, produced with that release's ack. */
export class MacroTransform implements FeedTransform<MacroIndicator> {
  private readonly calculator: MacroFeatureCalculator;

  constructor(
    settings: MacroSettings,
    private readonly codec: Codec,
    private readonly outputTopic: string,
  ) {
    this.calculator = new MacroFeatureCalculator(settings);
  }

  accept({ input, value }: Accepted<MacroIndicator>): Work[] {
    const feature = this.calculator.next(value);
    return [
      {
        kind: 'produce',
        records: [
          {
            topic: this.outputTopic,
            key: macroFeatureKey(feature),
            value: this.codec.encode('MacroFeature', feature),
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
