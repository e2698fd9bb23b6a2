import { beforeAll, describe, expect, it } from 'vitest';
import { buildMetricCatalog, type MetricInfo, scanSourceMetricNames } from './metric-catalog.js';
import { checkPromql, type PromqlContext, recordedLabels } from './promql-check.js';
import { scanPromql, substituteGrafanaVariables } from './promql-refs.js';

describe('scanPromql', () => {
  it('finds selectors with their matchers, ranges and enclosing function', () => {
    const { series, groupingLabels } = scanPromql(
      'sum by (service, le) (rate(risk_x_bucket{service=~"$service", le!="+Inf"}[$__rate_interval])) / on (service) group_left up',
    );
    expect(series).toEqual([
      { name: 'risk_x_bucket', matcherLabels: ['service', 'le'], range: true, enclosingFunction: 'rate' },
      { name: 'up', matcherLabels: [], range: false, enclosingFunction: '' },
    ]);
    expect(groupingLabels).toEqual(['service', 'le', 'service']);
  });

  it('skips functions, keywords, numbers, durations, strings and variables', () => {
    const { series } = scanPromql(
      `histogram_quantile(0.99, sum(rate(a_bucket[5m])) by (le)) > bool 1e3 and b offset 5m or vector(0) unless label_replace(c, "x", "$1", "y", "(.*)")`,
    );
    expect(series.map((s) => s.name)).toEqual(['a_bucket', 'b', 'c']);
  });

  it('reads recorded series names and subqueries', () => {
    const { series } = scanPromql(
      'max_over_time(service:risk_a:rate5m{service="x"}[1h:1m]) and deriv(g:b:sum[15m])',
    );
    expect(series.map((s) => [s.name, s.range])).toEqual([
      ['service:risk_a:rate5m', true],
      ['g:b:sum', true],
    ]);
  });

  it('substitutes Grafana variables with values promtool can parse', () => {
    // biome-ignore lint/suspicious/noTemplateCurlyInString: Grafana's ${var} syntax, not a JS template
    expect(substituteGrafanaVariables('rate(a{s=~"$service",t="${topic}"}[$__rate_interval])')).toBe(
      'rate(a{s=~".*",t=".*"}[5m])',
    );
  });
});

describe('checkPromql', () => {
  let ctx: PromqlContext;
  beforeAll(async () => {
    ctx = {
      catalog: await buildMetricCatalog(),
      recorded: new Map([['service:risk_scorer_sequences:rate5m', recordedLabels('sum by (service) (x)')]]),
    };
  });

  it('accepts correct uses of counters, gauges, histograms and recorded series', () => {
    for (const expr of [
      'sum by (service, topic) (rate(risk_ingest_records_in_total{service=~"$service"}[5m]))',
      'histogram_quantile(0.99, sum by (service, le) (rate(risk_scorer_inference_seconds_bucket[5m])))',
      'max by (group, topic) (risk_kafka_consumer_lag_records)',
      'deriv(risk_kafka_consumer_lag_records[15m])',
      'service:risk_scorer_sequences:rate5m{service="scorer"}',
      'up{job="scorer"} == 0',
      'rate(process_cpu_seconds_total[1m])',
    ]) {
      expect(checkPromql(expr, ctx), expr).toEqual([]);
    }
  });

  it('names the mistakes', () => {
    expect(checkPromql('rate(risk_nope_total[5m])', ctx)).toEqual([
      'risk_nope_total is not a metric the services export',
    ]);
    expect(checkPromql('sum(risk_scorer_sequences_total)', ctx)[0]).toMatch(/counter: use it with a range/);
    expect(checkPromql('rate(risk_influx_buffer_lines[5m])', ctx)[0]).toMatch(
      /gauge: rate\(\) is for counters/,
    );
    expect(checkPromql('risk_scorer_inference_seconds', ctx)[0]).toMatch(/histogram: query/);
    expect(checkPromql('rate(risk_scorer_sequences_total{symbol="AAPL"}[5m])', ctx)[0]).toMatch(
      /no label "symbol"/,
    );
    expect(checkPromql('sum by (topic) (rate(risk_scorer_sequences_total[5m]))', ctx)[0]).toMatch(
      /groups or matches on "topic"/,
    );
    expect(checkPromql('service:risk_other:rate5m', ctx)[0]).toMatch(/not a recording rule/);
    expect(checkPromql('service:risk_scorer_sequences:rate5m{job="x"}', ctx)[0]).toMatch(/no label "job"/);
  });
});

describe('the metric catalog', () => {
  let catalog: Map<string, MetricInfo>;
  beforeAll(async () => {
    catalog = await buildMetricCatalog();
  });

  it('holds every project metric with its type and labels, and the default process metrics', () => {
    expect(catalog.get('risk_ingest_records_in_total')).toMatchObject({ type: 'counter' });
    expect([...(catalog.get('risk_kafka_consumer_lag_records')?.labels ?? [])].sort()).toEqual(
      ['group', 'instance', 'job', 'service', 'topic'].sort(),
    );
    expect(catalog.get('risk_scorer_inference_seconds')?.type).toBe('histogram');
    expect(catalog.get('risk_dead_letters_total')?.type).toBe('counter');
    expect(catalog.get('nodejs_eventloop_lag_p99_seconds')?.type).toBe('gauge');
  });

  it('the source scan finds every instantiated risk_ metric, so classes not listed yet are caught too', () => {
    const declared = scanSourceMetricNames();
    const instantiated = [...catalog.values()].filter(
      (m) => m.name.startsWith('risk_') && m.type !== 'unknown',
    );
    expect(instantiated.length).toBeGreaterThan(40);
    for (const m of instantiated) expect(declared.has(m.name), m.name).toBe(true);
    for (const name of declared.keys()) expect(catalog.has(name), name).toBe(true);
  });
});
