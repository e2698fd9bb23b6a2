import { CronExpressionParser } from 'cron-parser';

/**
 * Why a cron expression or time zone cannot be used (null when it can); with `throws`, throws
 * that message instead. Checked by computing one occurrence, which is what catches a bad zone.
 */
export function cronProblem(expression: string, timezone: string, throws = false): string | null {
  try {
    CronExpressionParser.parse(expression, { tz: timezone, strict: false }).next();
    return null;
  } catch (err) {
    const message = `expected a cron expression (5 fields, or 6 with seconds, e.g. "0 3 * * *") in a valid time zone, got ${JSON.stringify(expression)} in ${JSON.stringify(timezone)}: ${err instanceof Error ? err.message : String(err)}`;
    if (throws) throw new RangeError(`retrainer.cron: ${message}`);
    return message;
  }
}

/** The first cron occurrence strictly after `after` (epoch ms). */
export function nextCronTime(cron: { expression: string; timezone: string }, after: number): number {
  return CronExpressionParser.parse(cron.expression, { tz: cron.timezone, currentDate: new Date(after) })
    .next()
    .getTime();
}
