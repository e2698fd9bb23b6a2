/**
 * A small PromQL scanner for checking dashboards and rules against the metric catalog: which series
 * an expression selects (with its label matchers, whether it has a range, which function it sits in)
 * and which labels it groups or matches on. Syntax itself is promtool's job; this only has to read
 * valid PromQL (plus Grafana's $variables) correctly.
 */

export interface SeriesRef {
  name: string;
  /** Label names used in the selector's {matchers}. */
  matcherLabels: string[];
  /** Followed by a range `[5m]`: a range-vector selector. */
  range: boolean;
  /** The function (or aggregation) whose parentheses directly enclose the selector, '' if none. */
  enclosingFunction: string;
}

export interface PromqlRefs {
  series: SeriesRef[];
  /** Labels named in by/without/on/ignoring/group_left/group_right clauses. */
  groupingLabels: string[];
}

const AGGREGATIONS = new Set([
  'sum',
  'min',
  'max',
  'avg',
  'group',
  'stddev',
  'stdvar',
  'count',
  'count_values',
  'bottomk',
  'topk',
  'quantile',
  'limitk',
  'limit_ratio',
]);
const GROUPING = new Set(['by', 'without', 'on', 'ignoring', 'group_left', 'group_right']);
const KEYWORDS = new Set(['and', 'or', 'unless', 'bool', 'offset', 'atan2', 'inf', 'nan', 'start', 'end']);

const isIdentStart = (c: string | undefined) => c !== undefined && /[A-Za-z_:]/.test(c);
const isIdentPart = (c: string | undefined) => c !== undefined && /[A-Za-z0-9_:]/.test(c);

export function scanPromql(expr: string): PromqlRefs {
  const series: SeriesRef[] = [];
  const groupingLabels: string[] = [];
  /** Function names of the open parentheses ('' for plain grouping parentheses). */
  const open: string[] = [];
  let pendingFunction = '';
  let i = 0;
  const n = expr.length;

  const skipSpace = () => {
    while (i < n) {
      if (/\s/.test(expr[i]!)) i++;
      else if (expr[i] === '#') while (i < n && expr[i] !== '\n') i++;
      else break;
    }
  };
  const skipString = () => {
    const quote = expr[i];
    i++;
    while (i < n && expr[i] !== quote) i += expr[i] === '\\' && quote !== '`' ? 2 : 1;
    i++;
  };
  const readIdent = () => {
    const start = i;
    while (isIdentPart(expr[i])) i++;
    return expr.slice(start, i);
  };
  const skipTo = (close: string) => {
    while (i < n && expr[i] !== close) {
      if (expr[i] === '"' || expr[i] === "'" || expr[i] === '`') skipString();
      else i++;
    }
    i++;
  };
  /** `(a, b)` after a grouping keyword. */
  const readLabelList = (): string[] => {
    skipSpace();
    if (expr[i] !== '(') return [];
    i++;
    const labels: string[] = [];
    for (;;) {
      skipSpace();
      if (i >= n) break;
      if (expr[i] === ')') {
        i++;
        break;
      }
      if (expr[i] === ',') {
        i++;
        continue;
      }
      if (isIdentStart(expr[i])) labels.push(readIdent());
      else i++;
    }
    return labels;
  };
  const readMatchers = (): string[] => {
    const labels: string[] = [];
    i++; // {
    for (;;) {
      skipSpace();
      if (i >= n) break;
      const c = expr[i]!;
      if (c === '}') {
        i++;
        break;
      }
      if (c === '"' || c === "'" || c === '`') skipString();
      else if (isIdentStart(c)) labels.push(readIdent());
      else i++;
    }
    return labels;
  };
  /** Grafana variables: $name, ${name}, ${name:format}, [[name]]. */
  const skipVariable = () => {
    i++;
    if (expr[i] === '{') skipTo('}');
    else while (isIdentPart(expr[i])) i++;
  };

  while (i < n) {
    skipSpace();
    if (i >= n) break;
    const c = expr[i]!;
    if (c === '"' || c === "'" || c === '`') {
      skipString();
    } else if (c === '$') {
      skipVariable();
    } else if (/[0-9.]/.test(c)) {
      while (i < n && /[0-9A-Za-z.]/.test(expr[i]!)) i++;
    } else if (c === '(') {
      open.push(pendingFunction);
      pendingFunction = '';
      i++;
    } else if (c === ')') {
      open.pop();
      i++;
    } else if (c === '[') {
      skipTo(']'); // subquery or a range after a parenthesis
    } else if (c === '{') {
      readMatchers(); // a selector without a metric name
    } else if (isIdentStart(c)) {
      const ident = readIdent();
      skipSpace();
      const next = expr[i];
      if (GROUPING.has(ident)) {
        groupingLabels.push(...readLabelList());
      } else if (AGGREGATIONS.has(ident) && (next === '(' || next === 'b' || next === 'w')) {
        pendingFunction = ident;
      } else if (next === '(' && !KEYWORDS.has(ident)) {
        pendingFunction = ident;
      } else if (KEYWORDS.has(ident)) {
        if (ident === 'offset') {
          skipSpace();
          if (expr[i] === '-') i++;
          while (i < n && /[0-9A-Za-z$_{}]/.test(expr[i]!)) i++;
        }
      } else {
        const ref: SeriesRef = {
          name: ident,
          matcherLabels: [],
          range: false,
          enclosingFunction: open.at(-1) ?? '',
        };
        if (expr[i] === '{') {
          ref.matcherLabels = readMatchers();
          skipSpace();
        }
        if (expr[i] === '[') {
          ref.range = true;
          skipTo(']');
        }
        series.push(ref);
      }
    } else {
      i++;
    }
  }
  return { series, groupingLabels };
}

/** Grafana's built-in interval variables and dashboard variables replaced so promtool can parse the query. */
export function substituteGrafanaVariables(expr: string): string {
  return expr
    .replace(/\$__rate_interval|\$\{__rate_interval\}/g, '5m')
    .replace(/\$__interval|\$\{__interval\}/g, '1m')
    .replace(/\$__range|\$\{__range\}/g, '1h')
    .replace(/\$\{[A-Za-z0-9_]+(?::[a-z]+)?\}|\$[A-Za-z0-9_]+/g, '.*');
}
