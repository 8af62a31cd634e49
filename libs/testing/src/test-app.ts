import { INestApplication } from '@nestjs/common';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generate } from 'otplib';
import request from 'supertest';
import { AppConfig, loadConfig } from '@hub/config';
import { PasswordService } from '@hub/identity';
import { createHubApp } from '../../../apps/hub/src/bootstrap';
import { DemoLogin, DEMO_PASSWORD, seedDemo } from '../../../apps/hub/src/seed/demo-seed';
import { createTestDatabase, TestDatabase } from './test-database';

export const TEST_JWT_SECRET = 'test-secret-that-is-long-enough-for-hs256-0123456789';

export interface TestSession {
  accessToken: string;
  refreshToken: string;
  userId: string;
  /** TOTP secret when the user enrolled MFA during the test. */
  mfaSecret?: string;
}

export interface TestHub {
  app: INestApplication;
  db: TestDatabase;
  config: AppConfig;
  http: () => ReturnType<typeof request>;
  demo: DemoLogin[];
  /** Signs in as a demo (or created) user; administrators enrol MFA on the way. Sessions are cached per email. */
  login(email: string, password?: string): Promise<TestSession>;
  /** Ids of demo records by name, for building URLs. */
  ids: { missions: Record<string, string>; facilities: Record<string, string>; users: Record<string, string> };
  close(): Promise<void>;
}

/**
 * Boots the whole hub on a fresh cloned database with the demo data, as `npm start` would. `hubJobs: false` for a
 * test that drives the periodic jobs (SLA sweep, alerts, expiry warnings) by hand, so no background run races it.
 */
export async function createTestHub(env: Record<string, string> = {}, options: { hubJobs?: boolean } = {}): Promise<TestHub> {
  const db = await createTestDatabase();
  const dataDir = mkdtempSync(join(tmpdir(), 'hub-test-data-'));
  chmodSync(dataDir, 0o755);
  const loaded = loadConfig({
    HUB_DATA_DIR: dataDir,
    NODE_ENV: 'test',
    DATABASE_URL: db.url,
    JWT_SECRET: TEST_JWT_SECRET,
    LOG_LEVEL: 'silent',
    LOGIN_RATE_LIMIT_PER_MINUTE: '1000',
    ...env,
  });
  const config = { ...loaded, hubJobs: options.hubJobs ?? loaded.hubJobs };
  const app = await createHubApp(config, db.dataSource);
  await app.init();
  const demo = (await seedDemo(db.dataSource, app.get(PasswordService)))!;
  const server = app.getHttpServer();
  const http = () => request(server);
  const sessions = new Map<string, TestSession>();

  const rows = async (sql: string) =>
    Object.fromEntries(((await db.dataSource.query(sql)) as { k: string; id: string }[]).map((r) => [r.k, r.id]));
  const ids = {
    missions: await rows('SELECT code AS k, id FROM missions'),
    facilities: await rows('SELECT name AS k, id FROM facilities'),
    users: await rows('SELECT email AS k, id FROM users'),
  };

  const login = async (email: string, password = DEMO_PASSWORD): Promise<TestSession> => {
    const cached = sessions.get(email);
    if (cached) return cached;
    const res = await http().post('/api/auth/login').send({ email, password });
    if (res.status !== 200) throw new Error(`login ${email}: ${res.status} ${JSON.stringify(res.body)}`);
    let session: TestSession = {
      accessToken: res.body.accessToken,
      refreshToken: res.body.refreshToken,
      userId: res.body.user.id,
    };
    if (res.body.mfaEnrolmentRequired) {
      const auth = { Authorization: `Bearer ${session.accessToken}` };
      const setup = await http().post('/api/auth/mfa/setup').set(auth).expect(200);
      const code = await generate({ secret: setup.body.secret });
      const enabled = await http().post('/api/auth/mfa/enable').set(auth).send({ code }).expect(200);
      session = {
        accessToken: enabled.body.accessToken,
        refreshToken: enabled.body.refreshToken,
        userId: enabled.body.user.id,
        mfaSecret: setup.body.secret,
      };
    }
    sessions.set(email, session);
    return session;
  };

  return {
    app,
    db,
    config,
    http,
    demo,
    login,
    ids,
    close: async () => {
      await app.close();
      await db.drop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export function bearer(session: TestSession): { Authorization: string } {
  return { Authorization: `Bearer ${session.accessToken}` };
}
