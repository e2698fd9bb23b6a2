import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { PACKAGE_ROOT } from '../../../services/shared/project-paths.js';
import {
  asArray,
  asObj,
  filesIn,
  OPERATIONS_DOC,
  PROMETHEUS_DIR,
  promqlOf,
  RULE_TESTS_DIR,
  RULES_DIR,
  readDashboards,
  readRules,
  readYaml,
} from './deploy-files.js';
import { buildMetricCatalog } from './metric-catalog.js';
import { checkPromql, type PromqlContext, recordedLabels } from './promql-check.js';
import { scanPromql, substituteGrafanaVariables } from './promql-refs.js';
import { promtool } from './promtool.js';

const rel = (path: string) => relative(PACKAGE_ROOT, path);
const CONFIG = join(PROMETHEUS_DIR, 'prometheus.yml');
const rules = readRules();
const alerts = rules.filter((r) => r.alert);

/** GitHub's heading anchors: lower case, punctuation dropped, spaces to hyphens. */
function anchors(markdown: string): Set<string> {
  const out = new Set<string>();
  for (const m of markdown.matchAll(/^#{1,6}\s+(.+?)\s*$/gm)) {
    out.add(
      m[1]!
        .toLowerCase()
        .replace(/[^\p{L}\p{N}\s_-]/gu, '')
        .replace(/\s/g, '-'),
    );
  }
  return out;
}

describe('promtool', () => {
  it('accepts deploy/prometheus/prometheus.yml (and the rule files it loads)', () => {
    const run = promtool(['check', 'config', rel(CONFIG)]);
    expect(run.output).toContain('SUCCESS');
    expect(run.status, run.output).toBe(0);
    expect(run.output).toMatch(/SUCCESS: [1-9]\d* rule files found/);
  });

  it('accepts every rule file', () => {
    const files = filesIn(RULES_DIR, '.yml').map(rel);
    expect(files.length).toBeGreaterThan(0);
    const run = promtool(['check', 'rules', ...files]);
    expect(run.status, run.output).toBe(0);
  });

  it('passes the rule unit tests (every alert fires on its scenario, stays quiet on its near miss)', () => {
    const files = filesIn(RULE_TESTS_DIR, '.test.yml').map(rel);
    expect(files.length).toBeGreaterThan(0);
    const run = promtool(['test', 'rules', ...files]);
    expect(run.status, run.output).toBe(0);
  });

  describe('parses every dashboard query', () => {
    let dir: string;
    beforeAll(() => {
      dir = mkdtempSync(join(tmpdir(), 'risk-dashboards-'));
    });
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    it('as recording rules with Grafana variables substituted', () => {
      const queries = readDashboards().flatMap((d) =>
        promqlOf(d).map((q) => ({ ...q, dashboard: basename(d.file) })),
      );
      expect(queries.length).toBeGreaterThan(50);
      const file = join(dir, 'dashboard-queries.yml');
      writeFileSync(
        file,
        stringify({
          groups: [
            {
              name: 'dashboard-queries',
              rules: queries.map((q, i) => ({
                record: `dashboard:query_${i}`,
                expr: substituteGrafanaVariables(q.expr),
              })),
            },
          ],
        }),
      );
      const run = promtool(['check', 'rules', file]);
      // Name the dashboard panel behind a failing rule index.
      const failing = [...run.output.matchAll(/query_(\d+)/g)].map((m) => queries[Number(m[1])]);
      expect({ status: run.status, failing }, run.output).toEqual({ status: 0, failing: [] });
    });
  });
});

describe('prometheus.yml', () => {
  const config = asObj(readYaml(CONFIG), 'prometheus.yml');
  const jobs = asArray(config.scrape_configs, 'scrape_configs').map((s) => asObj(s, 'scrape config'));

  it('loads the rules directory', () => {
    expect(config.rule_files).toEqual(['rules/*.yml']);
  });

  it('has one job per service, named after it, and never sets a `service` target label', () => {
    const names = jobs.map((j) => j.job_name);
    expect(new Set(names).size).toBe(names.length);
    for (const job of jobs) {
      for (const sc of asArray(job.static_configs ?? [], 'static_configs')) {
        const labels = asObj(sc, 'static config').labels;
        expect(labels === undefined || !('service' in asObj(labels, 'labels')), String(job.job_name)).toBe(
          true,
        );
      }
    }
  });

  it('RiskServiceDown watches every risk-monitor job', () => {
    const down = alerts.find((a) => a.alert === 'RiskServiceDown')!;
    const regex = /job=~"([^"]+)"/.exec(down.expr)?.[1];
    expect(regex).toBeDefined();
    const watched = new RegExp(`^(?:${regex})$`);
    for (const job of jobs.map((j) => String(j.job_name)).filter((n) => n !== 'prometheus')) {
      expect(watched.test(job), job).toBe(true);
    }
  });
});

describe('rules', () => {
  let ctx: PromqlContext;
  beforeAll(async () => {
    const recorded = new Map<string, Set<string>>();
    for (const r of rules) if (r.record) recorded.set(r.record, recordedLabels(r.expr));
    ctx = { catalog: await buildMetricCatalog(), recorded };
  });

  it('record and alert the essentials', () => {
    const records = rules.flatMap((r) => (r.record ? [r.record] : []));
    expect(new Set(records).size).toBe(records.length);
    const names = alerts.map((a) => a.alert);
    expect(new Set(names).size).toBe(names.length);
    for (const name of [
      'RiskServiceDown',
      'RiskDeadLettersHigh',
      'RiskConsumerLagGrowing',
      'RiskInfluxUnavailable',
      'RiskInfluxDroppingLines',
      'RiskModelSwapFailed',
      'RiskNoScores',
      'RiskInferenceLatencyHigh',
      'RiskAlertsMostlySuppressed',
    ]) {
      expect(names).toContain(name);
    }
  });

  it('reference only metrics and labels the services export', () => {
    const problems = rules.flatMap((r) =>
      checkPromql(r.expr, ctx).map((p) => `${r.alert ?? r.record}: ${p}`),
    );
    expect(problems).toEqual([]);
  });

  it('use a recorded series only after the rule that records it, in the same group', () => {
    const problems: string[] = [];
    for (const r of rules) {
      for (const ref of scanPromql(r.expr).series.filter((s) => s.name.includes(':'))) {
        const source = rules.find((s) => s.record === ref.name);
        if (!source || source.group !== r.group || source.index >= r.index) {
          problems.push(
            `${r.alert ?? r.record} (group ${r.group}) uses ${ref.name} from ${source?.group ?? 'nowhere'}`,
          );
        }
      }
    }
    expect(problems).toEqual([]);
  });

  it('give every alert a severity, a summary, a description and a runbook section that exists', () => {
    const doc = anchors(readFileSync(OPERATIONS_DOC, 'utf8'));
    for (const a of alerts) {
      expect(['critical', 'warning', 'info'], `${a.alert} severity`).toContain(a.labels.severity);
      expect(a.annotations.summary, `${a.alert} summary`).toBeTruthy();
      expect(a.annotations.description, `${a.alert} description`).toBeTruthy();
      const runbook = /^docs\/operations\.md#([a-z0-9_-]+)$/.exec(a.annotations.runbook ?? '');
      expect(runbook, `${a.alert} runbook "${a.annotations.runbook}"`).not.toBeNull();
      expect(doc.has(runbook![1]!), `docs/operations.md has no section #${runbook![1]}`).toBe(true);
    }
  });

  it('have a promtool unit test for every alert that expects it to fire', () => {
    const tested = new Set<string>();
    for (const file of filesIn(RULE_TESTS_DIR, '.test.yml')) {
      for (const t of asArray(asObj(readYaml(file), file).tests, 'tests')) {
        for (const a of asArray(asObj(t, 'test').alert_rule_test ?? [], 'alert_rule_test')) {
          const case_ = asObj(a, 'alert_rule_test');
          if (asArray(case_.exp_alerts ?? [], 'exp_alerts').length > 0) tested.add(String(case_.alertname));
        }
      }
    }
    expect(alerts.map((a) => a.alert).filter((name) => !tested.has(name!))).toEqual([]);
  });
});
