import { INestApplication } from '@nestjs/common';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { CERTIFICATION_DIRECTORY, CertificationDirectory } from '@hub/access';
import { Clock } from '@hub/common';
import { createDataSource, MIGRATIONS } from '@hub/database';
import { DatabasePrincipalResolver, PrincipalCache } from '@hub/identity';
import { bearer, createTestHub, TestHub } from '@hub/testing';
import { createHubApp } from '../src/bootstrap';
import { ENTITIES } from '../src/schema';

/** Polls (bounded) until the cache listens: caching only starts once LISTEN is in place. */
async function listening(app: INestApplication) {
  const cache = app.get(PrincipalCache);
  for (let i = 0; i < 100 && !cache.enabled; i++) await new Promise((r) => setTimeout(r, 50));
  expect(cache.enabled).toBe(true);
}

describe('caller cache across two hub instances on one database', () => {
  let hub: TestHub; // instance A (where the administrator works)
  let other: INestApplication; // instance B: its own DataSource, cache and LISTEN connection
  let otherDs: DataSource;
  let otherDir: string;
  const b = () => request(other.getHttpServer());

  beforeAll(async () => {
    hub = await createTestHub();
    otherDs = createDataSource({ url: hub.db.url, entities: ENTITIES, migrations: MIGRATIONS });
    await otherDs.initialize();
    otherDir = mkdtempSync(join(tmpdir(), 'hub-test-data-'));
    chmodSync(otherDir, 0o755);
    other = await createHubApp({ ...hub.config, dataDir: otherDir }, otherDs);
    await other.init();
    await listening(hub.app);
    await listening(other);
  });
  afterAll(async () => {
    await other?.close();
    await otherDs?.destroy();
    rmSync(otherDir, { recursive: true, force: true });
    await hub.close();
  });

  it('serves repeated requests of one caller from the cache (one load), per session', async () => {
    const officer = await hub.login('officer@minusca.demo');
    const loads = jest.spyOn(DatabasePrincipalResolver.prototype as unknown as { loadNow: () => Promise<unknown> }, 'loadNow');
    try {
      for (let i = 0; i < 5; i++) await b().get('/api/auth/me').set(bearer(officer)).expect(200);
      expect(loads).toHaveBeenCalledTimes(1);
    } finally {
      loads.mockRestore();
    }
  });

  it('applies a membership removal and a deactivation made on the other instance on the very next request', async () => {
    const sys = await hub.login('sysadmin@hub.demo');
    const victim = await hub.login('doctor@minusca.demo');
    const facility = `/api/facilities/${hub.ids.facilities['Bangui Level 2 Hospital']}`;
    await b().get(facility).set(bearer(victim)).expect(200);
    await b().get(facility).set(bearer(victim)).expect(200); // cached on B now

    const me = (await b().get('/api/auth/me').set(bearer(victim)).expect(200)).body;
    await hub.http().delete(`/api/memberships/${me.memberships[0].id}`).set(bearer(sys)).expect(204);
    await b().get(facility).set(bearer(victim)).expect(403);

    await b().get('/api/auth/me').set(bearer(victim)).expect(200);
    await hub.http().patch(`/api/users/${victim.userId}`).set(bearer(sys)).send({ active: false }).expect(200);
    const gone = await b().get('/api/auth/me').set(bearer(victim)).expect(403);
    expect(gone.body.code).toBe('ACCOUNT_DISABLED');
  });

  it('ends a session signed out on the other instance on the next request', async () => {
    const trainer = await hub.login('trainer@minusca.demo');
    await b().get('/api/auth/me').set(bearer(trainer)).expect(200);
    await hub.http().post('/api/auth/logout').set(bearer(trainer)).send({ refreshToken: trainer.refreshToken }).expect((r) => expect(r.status).toBeLessThan(300));
    await b().get('/api/auth/me').set(bearer(trainer)).expect(401);
  });

  it('expires an entry by itself when a certification starts or ends, by the injected clock', async () => {
    const cache = other.get(PrincipalCache);
    const clock = other.get(Clock);
    const now = Date.now();
    let loads = 0;
    const load = async () => ({ value: ++loads, validUntil: new Date(now + 60_000) });
    expect(await cache.get('u-clock', 'k', load)).toBe(1);
    expect(await cache.get('u-clock', 'k', load)).toBe(1);
    const moved = jest.spyOn(clock, 'now').mockReturnValue(new Date(now + 61_000));
    try {
      expect(await cache.get('u-clock', 'k', load)).toBe(2);
    } finally {
      moved.mockRestore();
    }
  });

  it('nextChange names the next certificate or waiver boundary', async () => {
    const directory = other.get<CertificationDirectory>(CERTIFICATION_DIRECTORY);
    const officer = hub.ids.users['officer@minusca.demo'];
    const [{ id: admin }] = await otherDs.query(`SELECT id FROM users WHERE email = 'sysadmin@hub.demo'`);
    const [{ id: mission }] = await otherDs.query(`SELECT id FROM missions WHERE code = 'MINUSCA'`);
    const starts = new Date(Date.now() + 3_600_000);
    await otherDs.query(
      `INSERT INTO training_waivers (user_id, mission_id, kind, reason, starts_at, expires_at, granted_by_id)
       VALUES ($1, $2, 'telemedicine_user', 'cache test', $3, $3::timestamptz + interval '1 day', $4)`,
      [officer, mission, starts, admin],
    );
    expect((await directory.nextChange!(officer))?.toISOString()).toBe(starts.toISOString());
  });
});
