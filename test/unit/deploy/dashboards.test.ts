import { basename, join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { writeEmissionPoints } from '../../../services/scorer/emission-records.js';
import type { Emission } from '../../../services/scorer/scored-item.js';
import {
  allPanels,
  asArray,
  asObj,
  type Dashboard,
  datasourceType,
  influxqlOf,
  isObj,
  PROVISIONING_DIR,
  promqlOf,
  readDashboards,
  readRules,
  readYaml,
  templateVariables,
} from './deploy-files.js';
import { buildMetricCatalog } from './metric-catalog.js';
import { checkPromql, type PromqlContext, recordedLabels } from './promql-check.js';

const dashboards = readDashboards();

/** Metrics the overview leaves out on purpose, and why. */
const NOT_ON_OVERVIEW: Record<string, string> = {
  risk_ingest_dead_letters_total: 'the same events as risk_dead_letters_total{service=~".*-consumer"}',
  risk_windowing_dead_letters_total: 'the same events as risk_dead_letters_total{service="windowing"}',
};

/** Datasource uid -> type, from Grafana's provisioning. */
function provisionedDatasources(): Map<string, string> {
  const doc = asObj(readYaml(join(PROVISIONING_DIR, 'datasources', 'risk-monitor.yml')), 'datasources');
  return new Map(
    asArray(doc.datasources, 'datasources').map((d) => {
      const ds = asObj(d, 'datasource');
      return [String(ds.uid), String(ds.type)];
    }),
  );
}

describe('Grafana dashboards', () => {
  it('are there: overview, models, InfluxDB scores', () => {
    expect(dashboards.map((d) => basename(d.file))).toEqual([
      'risk-monitor-models.json',
      'risk-monitor-overview.json',
      'risk-monitor-scores.json',
    ]);
  });

  it('have distinct uids and titles', () => {
    const uids = dashboards.map((d) => d.json.uid);
    const titles = dashboards.map((d) => d.json.title);
    expect(new Set(uids).size).toBe(uids.length);
    expect(new Set(titles).size).toBe(titles.length);
  });

  describe.each(dashboards.map((d) => [basename(d.file), d] as [string, Dashboard]))(
    '%s',
    (_name, dashboard) => {
      const json = dashboard.json;
      const panels = allPanels(json);
      const content = panels.filter((p) => p.type !== 'row');

      it('is a provisionable dashboard (uid, title, schemaVersion 39, id null, tagged)', () => {
        expect(json.uid).toMatch(/^[a-z0-9-]{1,40}$/);
        expect(json.title).toEqual(expect.any(String));
        expect(json.schemaVersion).toBe(39);
        expect(json.id).toBeNull();
        expect(json.tags).toContain('risk-monitor');
        expect(content.length).toBeGreaterThan(5);
      });

      it('has unique panel ids', () => {
        const ids = panels.map((p) => p.id);
        expect(ids.every((id) => Number.isInteger(id))).toBe(true);
        expect(new Set(ids).size).toBe(ids.length);
      });

      it('gives every panel a datasource, a title and at least one target with a query', () => {
        for (const panel of content) {
          const where = `panel ${String(panel.id)} "${String(panel.title)}"`;
          expect(panel.title, where).toEqual(expect.any(String));
          const type = datasourceType(json, panel.datasource);
          expect(['prometheus', 'influxdb'], `${where} datasource`).toContain(type);
          const targets = asArray(panel.targets ?? [], where).map((t) => asObj(t, where));
          expect(targets.length, `${where} targets`).toBeGreaterThan(0);
          const refIds = targets.map((t) => t.refId);
          expect(new Set(refIds).size, `${where} refIds`).toBe(refIds.length);
          for (const t of targets) {
            expect(datasourceType(json, t.datasource ?? panel.datasource), `${where} target`).toBe(type);
            const query = type === 'prometheus' ? t.expr : t.query;
            expect(
              typeof query === 'string' && query.trim().length > 0,
              `${where} ${String(t.refId)} query`,
            ).toBe(true);
          }
        }
      });

      it('lays panels out on the 24-column grid without overlaps', () => {
        const boxes = panels.map((p) => {
          const g = asObj(p.gridPos, `panel ${String(p.id)} gridPos`);
          const [x, y, w, h] = [g.x, g.y, g.w, g.h].map(Number) as [number, number, number, number];
          expect(x >= 0 && w > 0 && h > 0 && x + w <= 24, `panel ${String(p.id)} gridPos`).toBe(true);
          return { id: p.id, x, y, w, h };
        });
        for (const a of boxes) {
          for (const b of boxes) {
            if (a === b) continue;
            const overlap = a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;
            expect(overlap, `panels ${String(a.id)} and ${String(b.id)} overlap`).toBe(false);
          }
        }
      });

      it('defaults its datasource variables to provisioned datasources of the right type', () => {
        const provisioned = provisionedDatasources();
        const variables = templateVariables(json).filter((v) => v.type === 'datasource');
        expect(variables.length).toBeGreaterThan(0);
        for (const v of variables) {
          const current = isObj(v.current) ? v.current.value : undefined;
          expect(provisioned.get(String(current)), `variable ${String(v.name)}`).toBe(v.query);
        }
      });
    },
  );
});

describe('dashboard PromQL against the metrics in the code', () => {
  let ctx: PromqlContext;
  beforeAll(async () => {
    const recorded = new Map<string, Set<string>>();
    for (const r of readRules()) if (r.record) recorded.set(r.record, recordedLabels(r.expr));
    ctx = { catalog: await buildMetricCatalog(), recorded };
  });

  it.each(dashboards.map((d) => [basename(d.file), d] as [string, Dashboard]))(
    '%s queries only existing metrics and labels, counters with ranges',
    (_name, dashboard) => {
      const problems = promqlOf(dashboard).flatMap(({ where, expr }) =>
        checkPromql(expr, ctx).map((p) => `${where}: ${p}\n    ${expr}`),
      );
      expect(problems).toEqual([]);
    },
  );

  it('the overview shows every risk_ metric the services export (or says why not)', () => {
    const overview = dashboards.find((d) => basename(d.file) === 'risk-monitor-overview.json')!;
    const text = promqlOf(overview)
      .map((q) => q.expr)
      .join('\n');
    const missing = [...ctx.catalog.values()]
      .filter((m) => m.name.startsWith('risk_') && m.type !== 'unknown' && !(m.name in NOT_ON_OVERVIEW))
      .filter((m) => !new RegExp(`\\b${m.name}(_bucket|_sum|_count)?\\b`).test(text))
      .map((m) => m.name);
    expect(missing).toEqual([]);
  });
});

/** Measurement -> tag keys and field keys, as the scorer writes them (captured, not copied). */
function influxSchema(): Map<string, { tags: Set<string>; fields: Set<string> }> {
  const explanation = [{ feature: 'log_return', value: -0.03, contribution: 0.4 }];
  const emission: Emission = {
    scores: [
      {
        id: 's',
        symbol: 'AAPL',
        barTime: 1,
        eventProbability: 0.1,
        volatilityForecast: 0.2,
        var95: 0.01,
        var99: 0.02,
        es95: 0.015,
        es99: 0.025,
        anomalyScore: 0.3,
        modelVersion: 'r1',
        anomalyModelVersion: 'a1',
        scoredAt: 2,
      },
    ],
    riskAlerts: [
      {
        alertId: 'ra',
        symbol: 'AAPL',
        alertType: 'RISK_EVENT',
        severity: 'WARNING',
        barTime: 1,
        score: 0.9,
        threshold: 0.5,
        modelVersion: 'r1',
        symbols: ['AAPL'],
        explanation,
        macroContext: {},
        sentimentContext: {},
        createdAt: 2,
      },
    ],
    anomalyAlerts: [
      {
        alertId: 'aa',
        symbol: 'AAPL',
        severity: 'CRITICAL',
        barTime: 1,
        anomalyScore: 0.99,
        threshold: 0.9,
        smoothedError: 1.2,
        modelVersion: 'a1',
        symbols: ['AAPL'],
        explanation,
        macroContext: {},
        sentimentContext: {},
        createdAt: 2,
      },
    ],
    suppressed: {},
    acks: [],
  };
  const schema = new Map<string, { tags: Set<string>; fields: Set<string> }>();
  writeEmissionPoints(emission, {
    writePoint: (measurement, tags, fields) => {
      const entry = schema.get(measurement) ?? { tags: new Set(), fields: new Set() };
      for (const k of Object.keys(tags)) entry.tags.add(k);
      for (const k of Object.keys(fields)) entry.fields.add(k);
      schema.set(measurement, entry);
    },
  });
  return schema;
}

describe('dashboard InfluxQL against what the scorer writes', () => {
  const schema = influxSchema();
  const queries = dashboards.flatMap((d) => influxqlOf(d).map((q) => ({ ...q, file: basename(d.file) })));

  it('the scorer writes the four documented measurements', () => {
    expect([...schema.keys()].sort()).toEqual(['anomaly_alert', 'anomaly_score', 'risk_alert', 'risk_score']);
    expect([...schema.get('risk_score')!.fields].sort()).toEqual(
      ['es95', 'es99', 'event_probability', 'var95', 'var99', 'volatility_forecast'].sort(),
    );
  });

  it('the scores dashboard queries InfluxDB', () => {
    expect(queries.filter((q) => q.file === 'risk-monitor-scores.json').length).toBeGreaterThan(8);
  });

  it.each(queries.map((q) => [`${q.file} ${q.where}`, q.query] as [string, string]))(
    '%s uses existing measurements, tags and fields',
    (_where, query) => {
      const measurement = /\bFROM\s+"([^"]+)"/i.exec(query)?.[1];
      expect(measurement, 'FROM "<measurement>"').toBeDefined();
      const m = schema.get(measurement!);
      expect(m, `measurement ${measurement}`).toBeDefined();
      const identifiers = [...query.matchAll(/"([^"]+)"/g)]
        .map((x) => x[1]!)
        .filter((x) => x !== measurement);
      for (const id of identifiers) {
        expect(m!.tags.has(id) || m!.fields.has(id), `${measurement} has no tag or field "${id}"`).toBe(true);
      }
      const groupBy = /\bGROUP BY\s+(.*?)(?:\s+fill\(|\s+ORDER\b|\s+LIMIT\b|$)/is.exec(query)?.[1] ?? '';
      for (const g of groupBy.matchAll(/"([^"]+)"/g)) {
        expect(m!.tags.has(g[1]!), `GROUP BY "${g[1]}" must be a tag of ${measurement}`).toBe(true);
      }
      const key = /\bWITH KEY\s*=\s*"([^"]+)"/i.exec(query)?.[1];
      if (key) expect(m!.tags.has(key), `tag key ${key}`).toBe(true);
      if (!/^\s*SHOW\b/i.test(query))
        expect(query, 'panel queries are bounded by $timeFilter').toMatch(/\$timeFilter/);
    },
  );
});
