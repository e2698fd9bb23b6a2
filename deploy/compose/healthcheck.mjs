// Docker HEALTHCHECK of a risk-monitor service: exit 0 when GET <path> (default /healthz) on the
// metrics port answers 2xx within 4 s. Usage: node healthcheck.mjs [/healthz|/readyz]
const port = process.env.RISK_METRICS_PORT ?? '9464';
const path = process.argv[2] ?? '/healthz';
try {
  const res = await fetch(`http://127.0.0.1:${port}${path}`, { signal: AbortSignal.timeout(4000) });
  process.exitCode = res.ok ? 0 : 1;
} catch {
  process.exitCode = 1;
}
