import type { MacroIndicator } from '../../shared/contracts/records.js';
import type { Violation } from '../framework/reason-codes.js';
import {
  checkEventTime,
  firstViolation,
  requireFinite,
  requireText,
  type TimeBounds,
} from '../framework/validation-checks.js';

/** `allowList` empty accepts every indicator. */
export function validateMacro(
  m: MacroIndicator,
  bounds: TimeBounds,
  allowList: ReadonlySet<string>,
): Violation | null {
  return firstViolation(
    () => requireText('MacroIndicator', { indicatorId: m.indicatorId, country: m.country, unit: m.unit }),
    () =>
      requireFinite('MacroIndicator', {
        releaseTime: m.releaseTime,
        periodEnd: m.periodEnd,
        actual: m.actual,
        consensus: m.consensus,
        previous: m.previous,
      }),
    () =>
      allowList.size > 0 && !allowList.has(m.indicatorId)
        ? {
            reason: 'unknown_indicator',
            message: `MacroIndicator.indicatorId: expected one of ${[...allowList].join(', ')} (ingest.indicatorAllowList), got ${JSON.stringify(m.indicatorId)}`,
          }
        : null,
    () => checkEventTime('MacroIndicator', 'releaseTime', m.releaseTime, bounds),
  );
}
