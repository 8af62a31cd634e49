import { ChildProcess, spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { freePort } from '@hub/database';
import { createTestDatabase, LinkRelay, TEST_JWT_SECRET, TestDatabase } from '@hub/testing';

export const HUB_MAIN = join(__dirname, '../../../dist/apps/hub/apps/hub/src/main.js');
export const NODE_MAIN = join(__dirname, '../../../dist/apps/field-node/apps/field-node/src/main.js');
export const PASSWORD = 'FieldHub!2026';

/** A process in its own group, so stopping it takes its embedded PostgreSQL down with it. */
export class Proc {
  output = '';
  child!: ChildProcess;
  constructor(
    private readonly main: string,
    private readonly env: Record<string, string>,
  ) {}

  async start(ready: string, timeoutMs = 120_000): Promise<void> {
    this.output = '';
    this.child = spawn(process.execPath, [this.main], { env: { ...process.env, ...this.env }, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    this.child.stdout!.on('data', (d) => (this.output += d));
    this.child.stderr!.on('data', (d) => (this.output += d));
    await until(async () => this.output.includes(ready) || (this.child.exitCode !== null && fail(`exited:\n${this.output}`)), `start of ${this.main}`, timeoutMs, () => this.output);
  }

  kill(signal: NodeJS.Signals): void {
    if (this.child?.pid && this.child.exitCode === null) process.kill(-this.child.pid, signal);
  }

  async stop(): Promise<void> {
    if (!this.child || this.child.exitCode !== null) return;
    const exited = new Promise((r) => this.child.once('exit', r));
    this.kill('SIGTERM');
    await Promise.race([exited, new Promise((r) => setTimeout(r, 15_000))]);
    this.kill('SIGKILL');
  }
}

function fail(message: string): never {
  throw new Error(message);
}

export async function until<T>(probe: () => Promise<T | false | null | undefined>, what: string, timeoutMs: number, detail: () => string = () => '', everyMs = 250): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const v = await probe();
      if (v) return v;
    } catch (e) {
      if (String(e).includes('exited:')) throw e;
      last = e;
    }
    await new Promise((r) => setTimeout(r, everyMs));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? ` (last error: ${last})` : ''}\n${detail().slice(-4000)}`);
}

export async function api(base: string, method: string, path: string, token?: string, body?: unknown): Promise<{ status: number; body: any }> {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: { 'Content-Type': 'application/json', ...(token ? { Authorization: `Bearer ${token}` } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(30_000),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
}

export async function login(base: string, email: string): Promise<string> {
  const res = await api(base, 'POST', '/api/auth/login', undefined, { email, password: PASSWORD });
  if (res.status !== 200) throw new Error(`login ${email} at ${base}: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.accessToken;
}

/**
 * A hub (demo data, its own test database) and a field node as separate compiled processes, with the project's
 * link relay between them (the node reaches the hub only through it), as apps/field-node/test/field-node.e2e-spec.ts
 * runs them. The node enrols with the demo code as MINUSCA's Bangui Level 1 clinic.
 */
export class HubAndNode {
  db!: TestDatabase;
  hub!: Proc;
  node!: Proc;
  relay!: LinkRelay;
  hubBase = '';
  nodeBase = '';
  hubSql!: Client;
  private dirs: string[] = [];

  static async start(nodeEnv: Record<string, string> = {}): Promise<HubAndNode> {
    const s = new HubAndNode();
    for (const main of [HUB_MAIN, NODE_MAIN]) if (!existsSync(main)) throw new Error(`${main} is missing: run \`npm run build\` first (npm test does)`);
    s.db = await createTestDatabase();
    await s.db.dataSource.destroy();
    const hubDir = mkdtempSync(join(tmpdir(), 'hub-node-web-'));
    const nodeDir = mkdtempSync(join(tmpdir(), 'field-node-web-'));
    chmodSync(nodeDir, 0o755);
    s.dirs.push(hubDir, nodeDir);
    const hubPort = await freePort();
    s.hubBase = `http://127.0.0.1:${hubPort}`;
    s.hub = new Proc(HUB_MAIN, {
      NODE_ENV: 'test', PORT: String(hubPort), HUB_DATA_DIR: hubDir, DATABASE_URL: s.db.url, JWT_SECRET: TEST_JWT_SECRET, SEED_DEMO: 'true',
      LOG_LEVEL: 'warn', MEDIA_ENABLED: 'off', LOGIN_RATE_LIMIT_PER_MINUTE: '1000',
    });
    await s.hub.start('is running on');
    s.relay = await LinkRelay.start({ tcpTarget: { host: '127.0.0.1', port: hubPort } });
    const nodePort = await freePort();
    s.nodeBase = `http://127.0.0.1:${nodePort}`;
    s.node = new Proc(NODE_MAIN, {
      NODE_ENV: 'test', PORT: String(nodePort), HUB_URL: `http://127.0.0.1:${s.relay.tcpPort}`, NODE_DATA_DIR: nodeDir,
      NODE_SYNC_INTERVAL_MS: '500', NODE_SYNC_MAX_BACKOFF_MS: '2000', LOG_LEVEL: 'warn', LOGIN_RATE_LIMIT_PER_MINUTE: '1000', ...nodeEnv,
    });
    await s.node.start('Field node is running on');
    s.hubSql = new Client({ connectionString: s.db.url });
    await s.hubSql.connect();
    return s;
  }

  logs(): string {
    return `--- node ---\n${this.node?.output.slice(-3000)}\n--- hub ---\n${this.hub?.output.slice(-3000)}`;
  }

  /** Until the clinic's officer (synced from the hub) can sign in on the node. */
  async officerSynced(): Promise<void> {
    await until(async () => (await api(this.nodeBase, 'POST', '/api/auth/login', undefined, { email: 'officer@minusca.demo', password: PASSWORD })).status === 200, 'the officer synced to the node', 120_000, () => this.logs());
  }

  async close(): Promise<void> {
    await this.hubSql?.end();
    await this.node?.stop();
    await this.hub?.stop();
    await this.relay?.close();
    await this.db?.drop();
    for (const dir of this.dirs) rmSync(dir, { recursive: true, force: true });
  }
}
