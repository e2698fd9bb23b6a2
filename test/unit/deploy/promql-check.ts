import { type MetricInfo, resolveSeries } from './metric-catalog.js';
import { scanPromql } from './promql-refs.js';

/** Functions that only make sense on counters (a gauge inside them is a mistake). */
const COUNTER_FUNCTIONS = new Set(['rate', 'irate', 'increase', 'resets']);

export interface PromqlContext {
  catalog: ReadonlyMap<string, MetricInfo>;
  /** Recorded series name -> the labels it keeps (its `by` labels). */
  recorded: ReadonlyMap<string, ReadonlySet<string>>;
}

/** Labels a recording rule's series keeps: what its aggregations group by. */
export function recordedLabels(expr: string): Set<string> {
  return new Set(scanPromql(expr).groupingLabels);
}

/**
 * What is wrong with an expression against the code's metrics: unknown series, labels a series does
 * not have, counters without a range, gauges under rate(), histograms used without their suffixes.
 * Returns readable problems, empty when fine.
 */
export function checkPromql(expr: string, ctx: PromqlContext): string[] {
  const problems: string[] = [];
  const { series, groupingLabels } = scanPromql(expr);
  const available = new Set<string>();
  let labelsKnown = true;
  for (const ref of series) {
    if (ref.name.includes(':')) {
      const labels = ctx.recorded.get(ref.name);
      if (!labels) {
        problems.push(`${ref.name} is not a recording rule of deploy/prometheus/rules`);
        labelsKnown = false;
        continue;
      }
      for (const l of labels) available.add(l);
      for (const l of ref.matcherLabels) {
        if (!labels.has(l))
          problems.push(`${ref.name} has no label "${l}" (it keeps ${[...labels].join(', ')})`);
      }
      continue;
    }
    const resolved = resolveSeries(ctx.catalog, ref.name);
    if (!resolved) {
      problems.push(`${ref.name} is not a metric the services export`);
      labelsKnown = false;
      continue;
    }
    const { metric, suffix } = resolved;
    if (!metric.labels) {
      labelsKnown = false;
    } else {
      for (const l of metric.labels) available.add(l);
      for (const l of ref.matcherLabels) {
        if (l !== '__name__' && !metric.labels.has(l)) {
          problems.push(`${ref.name} has no label "${l}" (labels: ${[...metric.labels].join(', ')})`);
        }
      }
    }
    const counterLike = metric.type === 'counter' || (metric.type === 'histogram' && suffix !== '');
    if (counterLike && !ref.range) {
      problems.push(
        `${ref.name} is a ${metric.type === 'counter' ? 'counter' : 'histogram series'}: use it with a range, e.g. rate(${ref.name}[5m])`,
      );
    }
    if (metric.type === 'histogram' && suffix === '') {
      problems.push(`${ref.name} is a histogram: query ${ref.name}_bucket, _sum or _count`);
    }
    if (metric.type === 'gauge' && COUNTER_FUNCTIONS.has(ref.enclosingFunction)) {
      problems.push(`${ref.name} is a gauge: ${ref.enclosingFunction}() is for counters`);
    }
  }
  if (labelsKnown) {
    for (const l of groupingLabels) {
      if (!available.has(l))
        problems.push(`groups or matches on "${l}", which no series of the expression has`);
    }
  }
  return problems;
}
