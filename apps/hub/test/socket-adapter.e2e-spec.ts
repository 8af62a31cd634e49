import { INestApplication } from '@nestjs/common';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { io, Socket } from 'socket.io-client';
import { DataSource } from 'typeorm';
import { loadConfig } from '@hub/config';
import { createDataSource } from '@hub/database';
import { PasswordService } from '@hub/identity';
import { SocketPushes, userRoom } from '@hub/notifications';
import { createTestDatabase, TEST_JWT_SECRET, TestDatabase } from '@hub/testing';
import { createHubApp } from '../src/bootstrap';
import { ENTITIES, MIGRATIONS } from '../src/schema';
import { DEMO_PASSWORD, seedDemo } from '../src/seed/demo-seed';

/**
 * The socket.io cluster adapter between two hub applications on one database (two instances in one process): a
 * push sent by A reaches a socket connected to B. With PostgreSQL (the default, always run) and with Redis (only
 * when REDIS_URL is set; skipped with a printed reason otherwise).
 */
jest.setTimeout(120_000);

const kinds: { name: string; env: Record<string, string> }[] = [{ name: 'PostgreSQL (default)', env: {} }];
if (process.env.REDIS_URL) kinds.push({ name: 'Redis (REDIS_URL)', env: { REDIS_URL: process.env.REDIS_URL } });
else console.log('socket-adapter: the Redis adapter case is skipped: REDIS_URL is not set');

describe.each(kinds)('socket.io cluster adapter: $name', ({ env }) => {
  let db: TestDatabase;
  const apps: { app: INestApplication; ds: DataSource; base: string; dir: string }[] = [];
  let socket: Socket | undefined;

  beforeAll(async () => {
    db = await createTestDatabase();
    for (let i = 0; i < 2; i++) {
      const dir = mkdtempSync(join(tmpdir(), 'hub-adapter-'));
      const config = loadConfig({ HUB_DATA_DIR: dir, NODE_ENV: 'test', DATABASE_URL: db.url, JWT_SECRET: TEST_JWT_SECRET, LOG_LEVEL: 'silent', MEDIA_ENABLED: 'false', ...env });
      const ds = createDataSource({ url: db.url, entities: ENTITIES, migrations: MIGRATIONS, poolSize: 4, logErrors: false });
      await ds.initialize();
      const app = await createHubApp(config, ds);
      await app.listen(0, '127.0.0.1');
      if (i === 0) await seedDemo(ds, app.get(PasswordService));
      apps.push({ app, ds, dir, base: `http://127.0.0.1:${app.getHttpServer().address().port}` });
    }
  });

  afterAll(async () => {
    socket?.close();
    for (const { app, ds, dir } of apps) {
      await app.close();
      if (ds.isInitialized) await ds.destroy();
      rmSync(dir, { recursive: true, force: true });
    }
    await db?.drop();
  });

  it('a notification pushed by instance A reaches the user’s socket on instance B, and nobody else’s', async () => {
    const [a, b] = apps;
    const login = async (email: string) => {
      const res = await fetch(`${b.base}/api/auth/login`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ email, password: DEMO_PASSWORD }) });
      expect(res.status).toBe(200);
      return (await res.json()) as { accessToken: string; user?: { id: string } };
    };
    const connect = async (token: string) => {
      const s = io(b.base, { path: '/socket.io', transports: ['websocket'], auth: { token }, reconnection: false, forceNew: true });
      await new Promise<void>((resolve, reject) => {
        s.once('connect', () => resolve());
        s.once('connect_error', reject);
      });
      return s;
    };
    socket = await connect((await login('doctor@minusca.demo')).accessToken);
    const bystander = await connect((await login('doctor@unmiss.demo')).accessToken);
    const got: unknown[] = [];
    const other: unknown[] = [];
    socket.on('notification', (n) => got.push(n));
    bystander.on('notification', (n) => other.push(n));
    const [{ id: doctorId }] = await a.ds.query(`SELECT id FROM users WHERE email = 'doctor@minusca.demo'`);

    // the adapters of A and B learn of each other by heartbeat; keep pushing until one arrives (at most 15 s)
    const push = { id: 'adapter-check', type: 'case.submitted', caseId: null, title: 'adapter check', createdAt: new Date().toISOString() };
    const deadline = Date.now() + 15_000;
    while (!got.length && Date.now() < deadline) {
      a.app.get(SocketPushes).emitNow({ rooms: [userRoom(doctorId)], event: 'notification', data: push });
      await new Promise((r) => setTimeout(r, 300));
    }
    expect(got[0]).toMatchObject({ id: 'adapter-check' });
    expect(other).toEqual([]);
    bystander.close();
  });
});
