import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './free-port.js';

/** Servers still running; killed if the test process exits without stopping them. */
const live = new Set<ChildProcess>();
process.once('exit', () => {
  for (const c of live) c.kill('SIGKILL');
});

export interface InfluxdProcessOptions {
  /** The influxd binary; $RISK_LOCAL_INFLUXD or `influxd` on PATH. */
  binary?: string;
  startTimeoutMs?: number;
}

/**
 * An InfluxDB 1.x server of our own for tests that stop and restart it: a temp dir with config and
 * data, HTTP and RPC on free loopback ports, no auth. `stop()` ends it by PID; `start()` again reuses
 * the same port and data dir, so a restarted server has everything written before.
 */
export class InfluxdProcess {
  private child: ChildProcess | undefined;
  private readonly logFile: string;
  private readonly configFile: string;

  private constructor(
    readonly dir: string,
    readonly port: number,
    private readonly binary: string,
    private readonly startTimeoutMs: number,
  ) {
    this.logFile = join(dir, 'influxd.log');
    this.configFile = join(dir, 'influxd.conf');
  }

  static async create(options: InfluxdProcessOptions = {}): Promise<InfluxdProcess> {
    const dir = mkdtempSync(join(tmpdir(), 'risk-influxd-'));
    const [http, rpc] = [await freePort(), await freePort()];
    const p = new InfluxdProcess(
      dir,
      http,
      options.binary ?? process.env.RISK_LOCAL_INFLUXD ?? 'influxd',
      options.startTimeoutMs ?? 30_000,
    );
    writeFileSync(
      p.configFile,
      [
        'reporting-disabled = true',
        `bind-address = "127.0.0.1:${rpc}"`,
        '[meta]',
        `  dir = "${join(dir, 'meta')}"`,
        '  logging-enabled = false',
        '[data]',
        `  dir = "${join(dir, 'data')}"`,
        `  wal-dir = "${join(dir, 'wal')}"`,
        '  query-log-enabled = false',
        '[monitor]',
        '  store-enabled = false',
        '[subscriber]',
        '  enabled = false',
        '[http]',
        '  enabled = true',
        `  bind-address = "127.0.0.1:${http}"`,
        '  auth-enabled = false',
        '  log-enabled = false',
        '[logging]',
        '  level = "warn"',
        '  suppress-logo = true',
        '',
      ].join('\n'),
    );
    return p;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** Starts influxd and resolves when /ping answers 204. */
  async start(): Promise<void> {
    if (this.child) throw new Error(`influxd already running (pid ${this.child.pid})`);
    const log = openSync(this.logFile, 'a');
    const child = spawn(this.binary, ['-config', this.configFile], { stdio: ['ignore', log, log] });
    this.child = child;
    live.add(child);
    let exited: string | undefined;
    child.once('exit', (code, signal) => {
      exited = `exited with ${signal ?? code}`;
      live.delete(child);
      if (this.child === child) this.child = undefined;
    });
    child.once('error', (err) => {
      exited = `could not start ${this.binary}: ${err.message}`;
    });
    const deadline = Date.now() + this.startTimeoutMs;
    while (Date.now() < deadline) {
      if (exited) throw new Error(`influxd ${exited} before answering /ping; log:\n${this.logTail()}`);
      try {
        const res = await fetch(`${this.url}/ping`, { signal: AbortSignal.timeout(1_000) });
        if (res.status === 204) return;
      } catch {
        // not listening yet
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    await this.stop();
    throw new Error(
      `influxd did not answer ${this.url}/ping within ${this.startTimeoutMs} ms; log:\n${this.logTail()}`,
    );
  }

  /** SIGTERM by PID, SIGKILL after 10 s; resolves once the process is gone (port free again). */
  async stop(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) {
      this.child = undefined;
      return;
    }
    const gone = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    await gone;
    clearTimeout(timer);
    this.child = undefined;
  }

  /** Stops the server and deletes its directory. */
  async remove(): Promise<void> {
    await this.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }

  logTail(lines = 30): string {
    try {
      return readFileSync(this.logFile, 'utf8').split('\n').slice(-lines).join('\n');
    } catch {
      return '(no log)';
    }
  }
}
