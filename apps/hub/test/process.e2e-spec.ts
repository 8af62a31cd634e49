import { ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { freePort } from '@hub/database';
import { createTestDatabase, TEST_JWT_SECRET, TestDatabase } from '@hub/testing';

const MAIN = join(__dirname, '../../../dist/apps/hub/apps/hub/src/main.js');

/** The compiled hub as `npm start` runs it: boot, demo logins, headers, logs, graceful shutdown. */
describe('hub process', () => {
  let db: TestDatabase;
  let child: ChildProcessWithoutNullStreams;
  let output = '';
  let base: string;

  beforeAll(async () => {
    if (!existsSync(MAIN)) throw new Error(`${MAIN} is missing: run \`npm run build\` first (npm test does)`);
    db = await createTestDatabase();
    await db.dataSource.destroy();
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    child = spawn(process.execPath, [MAIN], {
      env: {
        ...process.env,
        NODE_ENV: 'production',
        PORT: String(port),
        DATABASE_URL: db.url,
        JWT_SECRET: TEST_JWT_SECRET,
        SEED_DEMO: 'true',
        LOG_LEVEL: 'info',
        CORS_ORIGINS: 'https://field.example.org',
        // One SFU worker on an ephemeral port: parallel runs must not collide on the fixed production port.
        MEDIA_WORKERS: '1',
        MEDIA_PORT_MIN: '0',
      },
    });
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    const deadline = Date.now() + 30_000;
    while (!output.includes('is running on')) {
      if (Date.now() > deadline || child.exitCode !== null) throw new Error(`hub did not start:\n${output}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  });
  afterAll(async () => {
    if (child && child.exitCode === null) child.kill('SIGKILL');
    await db?.drop();
  });

  it('prints the demo logins on first start', () => {
    expect(output).toContain('officer@minusca.demo');
    expect(output).toContain('sysadmin@hub.demo');
    expect(output).toMatch(/password: \S+/);
  });

  it('answers health and readiness, with security headers and a request id', async () => {
    const res = await fetch(`${base}/api/health/ready`);
    expect(res.status).toBe(200);
    // media ok: the compiled hub found the mediasoup worker npm install provided, and started it.
    expect(await res.json()).toEqual({ status: 'ready', database: 'ok', files: 'ok', media: 'ok' });
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('content-security-policy')).toContain("default-src 'self'");
    expect(res.headers.get('strict-transport-security')).toBeTruthy();
    expect(res.headers.get('x-powered-by')).toBeNull();
    expect(res.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('allows only configured origins', async () => {
    const ok = await fetch(`${base}/api/health`, { headers: { Origin: 'https://field.example.org' } });
    expect(ok.headers.get('access-control-allow-origin')).toBe('https://field.example.org');
    const other = await fetch(`${base}/api/health`, { headers: { Origin: 'https://evil.example.com' } });
    expect(other.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('publishes OpenAPI documentation with bearer security on protected routes', async () => {
    const doc = (await (await fetch(`${base}/api/docs-json`)).json()) as any;
    expect(doc.openapi).toMatch(/^3\./);
    expect(doc.paths['/api/missions'].get.security).toEqual([{ bearer: [] }]);
    expect((await fetch(`${base}/api/docs`)).status).toBe(200);
  });

  it('serves the web app for client routes', async () => {
    const res = await fetch(`${base}/admin/users`);
    expect([200, 503]).toContain(res.status); // 503 names the missing build when the web bundle was not built
    expect(res.headers.get('content-type')).toMatch(/text\/(html|plain)/);
  });

  it('keeps passwords and tokens out of the logs, which carry request ids', async () => {
    const login = await fetch(`${base}/api/auth/login`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'X-Request-Id': 'trace-abcdef-123' },
      body: JSON.stringify({ email: 'officer@minusca.demo', password: 'FieldHub!2026' }),
    });
    const { accessToken, refreshToken } = (await login.json()) as { accessToken: string; refreshToken: string };
    await fetch(`${base}/api/auth/me`, { headers: { Authorization: `Bearer ${accessToken}` } });
    await new Promise((r) => setTimeout(r, 300));
    expect(output).toContain('trace-abcdef-123');
    // the start-up banner prints the demo password once; no log record may carry it
    expect(output.split('FieldHub!2026').length - 1).toBe(1);
    expect(output).not.toContain(accessToken);
    expect(output).not.toContain(refreshToken);
  });

  it('shuts down cleanly on SIGTERM', async () => {
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    const workerPid = Number(/mediasoup worker\(s\) running: pid (\d+)/.exec(output)?.[1]);
    expect(workerPid).toBeGreaterThan(0);
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(output).toContain('SIGTERM received');
    // The SFU worker, a child process of the hub, is gone too.
    const alive = () => {
      try {
        process.kill(workerPid, 0);
        return true;
      } catch {
        return false;
      }
    };
    for (let i = 0; i < 50 && alive(); i++) await new Promise((r) => setTimeout(r, 100));
    expect(alive()).toBe(false);
  });
});
