import { randomUUID } from 'node:crypto';
import { TokenService } from '@hub/identity';
import { createTestHub, discoverRoutes, TestHub } from '@hub/testing';

/**
 * Every route x every role x {own mission, other mission} plus anonymous. Callers belong to MINUSCA; "own" targets a
 * MINUSCA record, "other" the matching UNMISS record. A route without a row here fails the suite, so a new route
 * cannot ship without its authorization being written down and reviewed.
 */
type RoleKey = 'officer' | 'doctor' | 'manager' | 'trainer' | 'admin' | 'sysadmin';
const CALLERS: Record<RoleKey, string> = {
  officer: 'officer@minusca.demo',
  doctor: 'doctor@minusca.demo',
  manager: 'manager@minusca.demo',
  trainer: 'trainer@minusca.demo',
  admin: 'admin@minusca.demo',
  sysadmin: 'sysadmin@hub.demo',
};
const ROLES = Object.keys(CALLERS) as RoleKey[];
type Target = 'own' | 'other';
const MISSION: Record<Target, string> = { own: 'MINUSCA', other: 'UNMISS' };
const KEY: Record<Target, string> = { own: 'minusca', other: 'unmiss' };
const CLINIC: Record<Target, string> = { own: 'Bangui Level 1 Clinic (BANBAT)', other: 'Juba Level 1 Clinic (RWANBAT)' };

interface Call {
  path: string;
  body?: object;
  /** Use this bearer token instead of the caller's cached one (routes that end sessions). */
  token?: string;
}
interface Row {
  build: (hub: TestHub, target: Target, role: RoleKey | 'anon') => Promise<Call> | Call;
  anon: number;
  /** [own, other] status per role. */
  expect: Record<RoleKey, [number, number]>;
}

const all = (own: number, other = own): Record<RoleKey, [number, number]> =>
  Object.fromEntries(ROLES.map((r) => [r, [own, other]])) as Record<RoleKey, [number, number]>;
const only = (
  base: [number, number],
  overrides: Partial<Record<RoleKey, [number, number]>>,
): Record<RoleKey, [number, number]> => ({ ...all(...base), ...overrides });

let unique = 0;
const next = () => `${Date.now().toString(36)}${(unique++).toString(36)}`.toUpperCase();

async function freshMembership(hub: TestHub, target: Target): Promise<string> {
  const [row] = await hub.db.dataSource.query(
    `INSERT INTO memberships (user_id, role, mission_id) VALUES ($1, 'trainer', $2) RETURNING id`,
    [hub.ids.users[`doctor@${KEY[target]}.demo`], hub.ids.missions[MISSION[target]]],
  );
  return row.id;
}

async function freshUser(hub: TestHub, target: Target): Promise<string> {
  const [row] = await hub.db.dataSource.query(
    `INSERT INTO users (email, display_name, password_hash) VALUES ($1, 'Matrix user', 'x') RETURNING id`,
    [`matrix-${next().toLowerCase()}@${KEY[target]}.demo`],
  );
  await hub.db.dataSource.query(`INSERT INTO memberships (user_id, role, mission_id) VALUES ($1, 'trainer', $2)`, [
    row.id,
    hub.ids.missions[MISSION[target]],
  ]);
  return row.id;
}

/** A new session for the caller, so ending it does not end the cached one. */
async function freshSession(hub: TestHub, role: RoleKey | 'anon'): Promise<string | undefined> {
  if (role === 'anon') return undefined;
  const userId = hub.ids.users[CALLERS[role]];
  const familyId = randomUUID();
  await hub.db.dataSource.query(
    `INSERT INTO refresh_tokens (user_id, token_hash, family_id, expires_at) VALUES ($1, $2, $3, now() + interval '1 hour')`,
    [userId, randomUUID().replace(/-/g, '').padEnd(64, '0'), familyId],
  );
  return hub.app.get(TokenService).signAccess({ sub: userId, sid: familyId, fa: true });
}

const MATRIX: Record<string, Row> = {
  'GET /api/health': { build: () => ({ path: '/api/health' }), anon: 200, expect: all(200) },
  'GET /api/health/ready': { build: () => ({ path: '/api/health/ready' }), anon: 200, expect: all(200) },
  'POST /api/auth/login': {
    build: () => ({ path: '/api/auth/login', body: { email: 'nobody@nowhere.demo', password: 'wrong password' } }),
    anon: 401,
    expect: all(401),
  },
  'POST /api/auth/refresh': {
    build: () => ({ path: '/api/auth/refresh', body: { refreshToken: 'not-a-token' } }),
    anon: 401,
    expect: all(401),
  },
  'POST /api/auth/logout': {
    build: async (hub, _t, role) => ({ path: '/api/auth/logout', body: { refreshToken: 'unknown' }, token: await freshSession(hub, role) }),
    anon: 401,
    expect: all(204),
  },
  'GET /api/auth/me': { build: () => ({ path: '/api/auth/me' }), anon: 401, expect: all(200) },
  'POST /api/auth/mfa/setup': {
    build: () => ({ path: '/api/auth/mfa/setup' }),
    anon: 401,
    // administrators enrolled at sign-in, so a second enrolment conflicts
    expect: only([200, 200], { admin: [409, 409], sysadmin: [409, 409] }),
  },
  'POST /api/auth/mfa/enable': {
    build: () => ({ path: '/api/auth/mfa/enable', body: { code: '000000' } }),
    anon: 401,
    expect: only([401, 401], { admin: [409, 409], sysadmin: [409, 409] }),
  },
  'GET /api/audit/verify': {
    build: (hub, t) => ({ path: `/api/audit/verify?chain=${hub.ids.missions[MISSION[t]]}` }),
    anon: 401,
    expect: only([403, 403], { admin: [200, 404], sysadmin: [200, 200] }),
  },
  'GET /api/missions': { build: () => ({ path: '/api/missions' }), anon: 401, expect: all(200) },
  'GET /api/missions/:id': {
    build: (hub, t) => ({ path: `/api/missions/${hub.ids.missions[MISSION[t]]}` }),
    anon: 401,
    expect: only([200, 404], { sysadmin: [200, 200] }),
  },
  'POST /api/missions': {
    build: () => ({ path: '/api/missions', body: { code: `M-${next()}`, name: 'Matrix mission' } }),
    anon: 401,
    expect: only([403, 403], { sysadmin: [201, 201] }),
  },
  'PATCH /api/missions/:id': {
    build: (hub, t) => ({ path: `/api/missions/${hub.ids.missions[MISSION[t]]}`, body: { mfaRequiredForAll: false } }),
    anon: 401,
    expect: only([403, 403], { admin: [200, 404], sysadmin: [200, 200] }),
  },
  'GET /api/facilities': { build: () => ({ path: '/api/facilities' }), anon: 401, expect: all(200) },
  'GET /api/facilities/:id': {
    build: (hub, t) => ({ path: `/api/facilities/${hub.ids.facilities[CLINIC[t]]}` }),
    anon: 401,
    expect: only([200, 404], { sysadmin: [200, 200] }),
  },
  'POST /api/facilities': {
    build: (hub, t) => ({
      path: '/api/facilities',
      body: { name: `Clinic ${next()}`, level: 1, missionIds: [hub.ids.missions[MISSION[t]]] },
    }),
    anon: 401,
    expect: only([403, 403], { admin: [201, 404], sysadmin: [201, 201] }),
  },
  'PATCH /api/facilities/:id': {
    build: (hub, t) => ({ path: `/api/facilities/${hub.ids.facilities[CLINIC[t]]}`, body: { active: true } }),
    anon: 401,
    expect: only([403, 403], { admin: [200, 404], sysadmin: [200, 200] }),
  },
  // Everyone may read their own user record, so the list answers 200; what it contains is tested in scoping.
  'GET /api/users': { build: () => ({ path: '/api/users' }), anon: 401, expect: all(200) },
  'GET /api/users/:id': {
    build: (hub, t) => ({ path: `/api/users/${hub.ids.users[`doctor@${KEY[t]}.demo`]}` }),
    anon: 401,
    expect: only([200, 404], { officer: [404, 404], doctor: [200, 404], sysadmin: [200, 200] }),
  },
  'POST /api/users': {
    build: (hub, t) => ({
      path: '/api/users',
      body: {
        email: `new-${next().toLowerCase()}@example.org`,
        displayName: 'New officer',
        password: 'a-long-enough-password',
        membership: { role: 'field_medical_officer', facilityId: hub.ids.facilities[CLINIC[t]] },
      },
    }),
    anon: 401,
    expect: only([403, 403], { admin: [201, 404], sysadmin: [201, 201] }),
  },
  'PATCH /api/users/:id': {
    build: async (hub, t) => ({ path: `/api/users/${await freshUser(hub, t)}`, body: { displayName: 'Renamed' } }),
    anon: 401,
    expect: only([403, 403], { admin: [200, 404], sysadmin: [200, 200] }),
  },
  'POST /api/users/:id/memberships': {
    build: async (hub, t) => ({
      path: `/api/users/${await freshUser(hub, t)}/memberships`,
      body: { role: 'health_manager', missionId: hub.ids.missions[MISSION[t]] },
    }),
    anon: 401,
    expect: only([403, 403], { admin: [201, 404], sysadmin: [201, 201] }),
  },
  'DELETE /api/memberships/:id': {
    build: async (hub, t) => ({ path: `/api/memberships/${await freshMembership(hub, t)}` }),
    anon: 401,
    expect: only([403, 403], { admin: [204, 404], sysadmin: [204, 204] }),
  },
};

describe('authorization matrix', () => {
  let hub: TestHub;
  beforeAll(async () => {
    hub = await createTestHub();
    for (const email of Object.values(CALLERS)) await hub.login(email);
  });
  afterAll(() => hub.close());

  it('has a row for every route the application serves, and no row for a route that is gone', () => {
    const served = discoverRoutes(hub.app).map((r) => r.key);
    expect(served.filter((k) => !MATRIX[k])).toEqual([]);
    expect(Object.keys(MATRIX).filter((k) => !served.includes(k))).toEqual([]);
  });

  const send = async (key: string, call: Call, token?: string) => {
    const [method, ] = key.split(' ');
    let req = hub.http()[method.toLowerCase() as 'get'](call.path);
    if (token) req = req.set('Authorization', `Bearer ${token}`);
    if (call.body) req = req.send(call.body);
    return req;
  };

  for (const [key, row] of Object.entries(MATRIX)) {
    describe(key, () => {
      it(`anonymous -> ${row.anon}`, async () => {
        const call = await row.build(hub, 'own', 'anon');
        const res = await send(key, call);
        expect({ status: res.status, body: res.body }).toMatchObject({ status: row.anon });
      });
      for (const role of ROLES) {
        (['own', 'other'] as Target[]).forEach((target, i) => {
          const expected = row.expect[role][i];
          it(`${role} on ${target} mission -> ${expected}`, async () => {
            const session = await hub.login(CALLERS[role]);
            const call = await row.build(hub, target, role);
            const res = await send(key, call, call.token ?? session.accessToken);
            expect({ status: res.status, body: res.body }).toMatchObject({ status: expected });
          });
        });
      }
    });
  }
});
