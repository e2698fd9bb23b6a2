import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { PACKAGE_ROOT } from '../../../services/shared/project-paths.js';

export const DEPLOY_DIR = join(PACKAGE_ROOT, 'deploy');
export const DASHBOARDS_DIR = join(DEPLOY_DIR, 'grafana', 'dashboards');
export const PROVISIONING_DIR = join(DEPLOY_DIR, 'grafana', 'provisioning');
export const PROMETHEUS_DIR = join(DEPLOY_DIR, 'prometheus');
export const RULES_DIR = join(PROMETHEUS_DIR, 'rules');
export const RULE_TESTS_DIR = join(PROMETHEUS_DIR, 'tests');
export const COMPOSE_DIR = join(DEPLOY_DIR, 'compose');
export const OPERATIONS_DOC = join(PACKAGE_ROOT, 'docs', 'operations.md');

/** YAML as docker compose and Prometheus read it (merge keys `<<` resolved). */
export function readYaml(path: string): unknown {
  return parse(readFileSync(path, 'utf8'), { merge: true });
}

export function filesIn(dir: string, suffix: string): string[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith(suffix))
    .sort()
    .map((f) => join(dir, f));
}

export type Obj = Record<string, unknown>;

export const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

export function asObj(v: unknown, what: string): Obj {
  if (!isObj(v)) throw new Error(`${what}: expected an object, got ${JSON.stringify(v)}`);
  return v;
}

export function asArray(v: unknown, what: string): unknown[] {
  if (!Array.isArray(v)) throw new Error(`${what}: expected a list, got ${JSON.stringify(v)}`);
  return v;
}

// ---------------------------------------------------------------- Prometheus rules

export interface Rule {
  file: string;
  group: string;
  /** Position in its group (rules of a group are evaluated in order). */
  index: number;
  record?: string;
  alert?: string;
  expr: string;
  for?: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
}

export function readRules(): Rule[] {
  const rules: Rule[] = [];
  for (const file of filesIn(RULES_DIR, '.yml')) {
    const doc = asObj(readYaml(file), file);
    for (const g of asArray(doc.groups, `${file} groups`)) {
      const group = asObj(g, `${file} group`);
      asArray(group.rules, `${file} ${String(group.name)} rules`).forEach((r, index) => {
        const rule = asObj(r, `${file} rule`);
        rules.push({
          file,
          group: String(group.name),
          index,
          ...(typeof rule.record === 'string' ? { record: rule.record } : {}),
          ...(typeof rule.alert === 'string' ? { alert: rule.alert } : {}),
          expr: String(rule.expr),
          ...(typeof rule.for === 'string' ? { for: rule.for } : {}),
          labels: (rule.labels ?? {}) as Record<string, string>,
          annotations: (rule.annotations ?? {}) as Record<string, string>,
        });
      });
    }
  }
  return rules;
}

// ---------------------------------------------------------------- Grafana dashboards

export interface Dashboard {
  file: string;
  json: Obj;
}

export function readDashboards(): Dashboard[] {
  return filesIn(DASHBOARDS_DIR, '.json').map((file) => ({
    file,
    json: asObj(JSON.parse(readFileSync(file, 'utf8')), file),
  }));
}

/** Every panel, rows' nested panels (collapsed rows keep theirs inside) included. */
export function allPanels(dashboard: Obj): Obj[] {
  const out: Obj[] = [];
  const visit = (panels: unknown) => {
    for (const p of asArray(panels ?? [], 'panels')) {
      const panel = asObj(p, 'panel');
      out.push(panel);
      if (panel.panels) visit(panel.panels);
    }
  };
  visit(dashboard.panels);
  return out;
}

export function templateVariables(dashboard: Obj): Obj[] {
  const templating = isObj(dashboard.templating) ? dashboard.templating : {};
  return asArray(templating.list ?? [], 'templating.list').map((v) => asObj(v, 'variable'));
}

/** The datasource type of a panel or target: a fixed {type} or a datasource variable's query. */
export function datasourceType(dashboard: Obj, ds: unknown): string | undefined {
  if (!isObj(ds)) return undefined;
  const uid = typeof ds.uid === 'string' ? ds.uid : '';
  const variable = /^\$\{?([A-Za-z0-9_]+)\}?$/.exec(uid)?.[1];
  if (variable) {
    const v = templateVariables(dashboard).find((t) => t.name === variable && t.type === 'datasource');
    return typeof v?.query === 'string' ? v.query : undefined;
  }
  return typeof ds.type === 'string' ? ds.type : undefined;
}

/** PromQL of the dashboard: panel targets and query variables on Prometheus. */
export function promqlOf(dashboard: Dashboard): { where: string; expr: string }[] {
  const out: { where: string; expr: string }[] = [];
  for (const panel of allPanels(dashboard.json)) {
    if (panel.type === 'row') continue;
    for (const t of asArray(panel.targets ?? [], 'targets')) {
      const target = asObj(t, 'target');
      const type = datasourceType(dashboard.json, target.datasource ?? panel.datasource);
      if (type === 'prometheus' && typeof target.expr === 'string') {
        out.push({
          where: `panel ${String(panel.id)} "${String(panel.title)}" ${String(target.refId)}`,
          expr: target.expr,
        });
      }
    }
  }
  for (const v of templateVariables(dashboard.json)) {
    if (v.type !== 'query' || datasourceType(dashboard.json, v.datasource) !== 'prometheus') continue;
    const query = isObj(v.query) ? v.query.query : v.query;
    if (typeof query !== 'string') continue;
    // label_values(<selector>, label) / query_result(<expr>): the inner PromQL.
    const inner = /^\s*(?:label_values|query_result)\((.*?)(?:,\s*[A-Za-z_][A-Za-z0-9_]*)?\)\s*$/s.exec(
      query,
    )?.[1];
    if (inner !== undefined) out.push({ where: `variable ${String(v.name)}`, expr: inner });
  }
  return out;
}

/** InfluxQL of the dashboard: panel targets and query variables on InfluxDB. */
export function influxqlOf(dashboard: Dashboard): { where: string; query: string }[] {
  const out: { where: string; query: string }[] = [];
  for (const panel of allPanels(dashboard.json)) {
    if (panel.type === 'row') continue;
    for (const t of asArray(panel.targets ?? [], 'targets')) {
      const target = asObj(t, 'target');
      const type = datasourceType(dashboard.json, target.datasource ?? panel.datasource);
      if (type === 'influxdb' && typeof target.query === 'string') {
        out.push({
          where: `panel ${String(panel.id)} "${String(panel.title)}" ${String(target.refId)}`,
          query: target.query,
        });
      }
    }
  }
  for (const v of templateVariables(dashboard.json)) {
    if (v.type === 'query' && datasourceType(dashboard.json, v.datasource) === 'influxdb') {
      out.push({ where: `variable ${String(v.name)}`, query: String(v.query) });
    }
  }
  return out;
}
