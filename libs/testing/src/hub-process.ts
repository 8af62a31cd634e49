import { ChildProcess, spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { freePort } from '../../database/src/embedded-postgres';

export const COMPILED_MAIN = join(__dirname, '../../../dist/apps/hub/apps/hub/src/main.js');
export const COMPILED_CLI = join(__dirname, '../../../dist/apps/hub/apps/hub/src/cli.js');

/**
 * The compiled hub as separate processes, started again and again with the same command on the same data
 * directory (its own embedded PostgreSQL), as an operator or a supervisor would.
 */
export class HubProcess {
  readonly dataDir: string;
  readonly port: number;
  readonly base: string;
  child?: ChildProcess;
  output = '';
  private readonly env: Record<string, string>;

  private constructor(dataDir: string, port: number, env: Record<string, string>) {
    this.dataDir = dataDir;
    this.port = port;
    this.base = `http://127.0.0.1:${port}`;
    this.env = env;
  }

  static async create(env: Record<string, string> = {}, dataDir?: string): Promise<HubProcess> {
    if (!existsSync(COMPILED_MAIN)) throw new Error(`${COMPILED_MAIN} is missing: run \`npm run build:hub\` first (npm test does)`);
    const dir = dataDir ?? mkdtempSync(join(tmpdir(), 'hub-proc-'));
    chmodSync(dir, 0o755); // the unprivileged postgres user must reach it when tests run as root
    return new HubProcess(dir, await freePort(), env);
  }

  /** Spawns the hub and resolves once /api/health/ready answers 200, with the time it took. */
  async start(timeoutMs = 60_000): Promise<number> {
    const started = Date.now();
    const inherited = { ...process.env };
    delete inherited.DATABASE_URL; // its own embedded PostgreSQL
    const child = spawn(process.execPath, [COMPILED_MAIN], {
      env: {
        ...inherited,
        NODE_ENV: 'test',
        PORT: String(this.port),
        HUB_DATA_DIR: this.dataDir,
        LOG_LEVEL: 'warn',
        MEDIA_ENABLED: 'false',
        LOGIN_RATE_LIMIT_PER_MINUTE: '1000',
        BACKUP_INTERVAL_HOURS: '0',
        ...this.env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    child.stdout!.on('data', (d) => (this.output += d));
    child.stderr!.on('data', (d) => (this.output += d));
    while (Date.now() - started < timeoutMs) {
      if (child.exitCode !== null || child.signalCode !== null) throw new Error(`hub exited (${child.exitCode ?? child.signalCode}) during start:\n${this.output.slice(-3000)}`);
      try {
        const res = await fetch(`${this.base}/api/health/ready`, { signal: AbortSignal.timeout(2000) });
        if (res.status === 200) return Date.now() - started;
      } catch {
        // not listening yet
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    await this.stop('SIGKILL');
    throw new Error(`hub not ready within ${timeoutMs} ms:\n${this.output.slice(-3000)}`);
  }

  /** Sends a signal and resolves with the exit code (null when killed by a signal). */
  async stop(signal: NodeJS.Signals = 'SIGTERM', timeoutMs = 60_000): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return { code: child?.exitCode ?? null, signal: child?.signalCode ?? null };
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((r) => child.once('exit', (code, sig) => r({ code, signal: sig })));
    child.kill(signal);
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    try {
      return await exited;
    } finally {
      clearTimeout(timer);
    }
  }

  /** The embedded PostgreSQL's postmaster pid and port, from its lock file. */
  postmaster(): { pid: number; port: number } | undefined {
    const file = join(this.dataDir, 'pg', 'postmaster.pid');
    if (!existsSync(file)) return undefined;
    const lines = readFileSync(file, 'utf8').split('\n');
    return { pid: Number(lines[0]), port: Number(lines[3]) };
  }

  /** A direct connection to the hub's database (while it runs), for checking what was stored. */
  async sql<T = Record<string, unknown>>(query: string, params: unknown[] = []): Promise<T[]> {
    const pm = this.postmaster();
    if (!pm) throw new Error('the embedded PostgreSQL is not running');
    const password = readFileSync(join(this.dataDir, 'pg-password'), 'utf8').trim();
    const client = new Client({ host: '127.0.0.1', port: pm.port, user: 'hub', password, database: 'hub' });
    await client.connect();
    try {
      return (await client.query(query, params)).rows as T[];
    } finally {
      await client.end();
    }
  }

  async login(email: string, password = 'FieldHub!2026'): Promise<string> {
    const res = await fetch(`${this.base}/api/auth/login`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ email, password }),
    });
    if (res.status !== 200) throw new Error(`login ${email}: ${res.status} ${await res.text()}`);
    return ((await res.json()) as { accessToken: string }).accessToken;
  }

  /** Stops whatever still runs (hub by SIGKILL, then its PostgreSQL if the kernel has not yet) and removes the data. */
  async destroy(): Promise<void> {
    await this.stop('SIGKILL').catch(() => undefined);
    const pm = this.postmaster();
    // Only the server of this test's own data directory (the lock file's pid could be stale).
    const ours = pm && existsSync(`/proc/${pm.pid}/cmdline`) && readFileSync(`/proc/${pm.pid}/cmdline`, 'utf8').includes(this.dataDir);
    if (pm && ours) {
      try {
        process.kill(pm.pid, 'SIGINT');
      } catch {
        // already gone
      }
      for (let i = 0; i < 100; i++) {
        try {
          process.kill(pm.pid, 0);
        } catch {
          break;
        }
        await new Promise((r) => setTimeout(r, 100));
      }
    }
    rmSync(this.dataDir, { recursive: true, force: true });
  }
}
