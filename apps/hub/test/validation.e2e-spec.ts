import { bearer, createTestHub, TestHub } from '@hub/testing';

/** Bad input answers 400 naming the field, and nothing stored changes. */
describe('input validation', () => {
  let hub: TestHub;
  let token: string;
  beforeAll(async () => {
    hub = await createTestHub();
    token = (await hub.login('sysadmin@hub.demo')).accessToken;
  });
  afterAll(() => hub.close());

  /** A digest of every table except the audit trail (which records the attempts). */
  const fingerprint = async () => {
    const tables = ['missions', 'facilities', 'facility_missions', 'users', 'memberships', 'refresh_tokens'];
    const parts: string[] = [];
    for (const t of tables) {
      const [row] = await hub.db.dataSource.query(`SELECT md5(coalesce(string_agg(x::text, '|' ORDER BY x::text), '')) AS h FROM ${t} x`);
      parts.push(`${t}:${row.h}`);
    }
    return parts.join(',');
  };

  type Body = object | ((h: TestHub) => object) | undefined;
  type Case = [method: 'get' | 'post' | 'patch' | 'delete', path: (h: TestHub) => string, body: Body, field: string, anonymous?: boolean];
  const m = (h: TestHub) => h.ids.missions.MINUSCA;
  const f = (h: TestHub) => h.ids.facilities['Bangui Level 1 Clinic (BANBAT)'];
  const u = (h: TestHub) => h.ids.users['officer@minusca.demo'];
  const CASES: Case[] = [
    ['post', () => '/api/auth/login', { email: 'not-an-email', password: 'x' }, 'email', true],
    ['post', () => '/api/auth/login', { email: 'a@b.org', password: '' }, 'password', true],
    ['post', () => '/api/auth/login', { email: 'a@b.org', password: 'x', totp: 'abc' }, 'totp', true],
    ['post', () => '/api/auth/login', { email: 'a@b.org', password: 'x', role: 'system_admin' }, 'role', true],
    ['post', () => '/api/auth/refresh', {}, 'refreshToken', true],
    ['post', () => '/api/auth/logout', { refreshToken: 42 }, 'refreshToken'],
    ['post', () => '/api/auth/mfa/enable', { code: '12' }, 'code'],
    ['get', () => '/api/audit/verify?chain=' + 'x'.repeat(100), undefined, 'chain'],
    ['get', () => '/api/missions/not-a-uuid', undefined, 'id'],
    ['post', () => '/api/missions', { code: 'lowercase', name: 'X' }, 'code'],
    ['post', () => '/api/missions', { code: 'NEWMISSION' }, 'name'],
    ['patch', (h) => `/api/missions/${m(h)}`, { active: 'yes' }, 'active'],
    ['patch', (h) => `/api/missions/${m(h)}`, { name: '' }, 'name'],
    ['get', () => '/api/facilities?missionId=abc', undefined, 'missionId'],
    ['get', () => '/api/facilities/123', undefined, 'id'],
    ['post', (h) => '/api/facilities', { name: 'X', level: 5, missionIds: [] }, 'level'],
    ['post', (h) => '/api/facilities', { name: 'X', level: 1, missionIds: [] }, 'missionIds'],
    ['post', (h) => '/api/facilities', { name: 'X', level: 1, missionIds: ['nope'] }, 'missionIds'],
    ['post', (h) => '/api/facilities', (h) => ({ name: 'X', level: 1, missionIds: [m(h), h.ids.missions.UNMISS] }), 'missionIds'],
    ['patch', (h) => `/api/facilities/${f(h)}`, { level: 0 }, 'level'],
    ['get', () => '/api/users?q=' + 'x'.repeat(101), undefined, 'q'],
    ['get', () => '/api/users/zzz', undefined, 'id'],
    ['post', () => '/api/users', { email: 'bad', displayName: 'X', password: 'a-long-enough-password' }, 'email'],
    ['post', () => '/api/users', { email: 'ok@x.org', displayName: 'X', password: 'short' }, 'password'],
    ['post', () => '/api/users', { email: 'ok@x.org', displayName: 'X', password: 'a-long-enough-password', specialties: ['Not A Code'] }, 'specialties'],
    ['post', () => '/api/users', { email: 'ok@x.org', displayName: 'X', password: 'a-long-enough-password', membership: { role: 'pilot' } }, 'membership.role'],
    ['post', (h) => '/api/users', (h) => ({ email: 'ok@x.org', displayName: 'X', password: 'a-long-enough-password', membership: { role: 'field_medical_officer', missionId: m(h) } }), 'facilityId'],
    ['patch', (h) => `/api/users/${u(h)}`, { active: 1 }, 'active'],
    ['patch', (h) => `/api/users/${u(h)}`, { password: 'short' }, 'password'],
    ['post', (h) => `/api/users/${u(h)}/memberships`, { role: 'trainer', missionId: 'x' }, 'missionId'],
    ['post', (h) => `/api/users/${u(h)}/memberships`, (h) => ({ role: 'system_admin', missionId: m(h) }), 'role'],
    ['post', (h) => `/api/users/${u(h)}/memberships`, { role: 'trainer' }, 'missionId'],
    ['delete', () => '/api/memberships/nope', undefined, 'id'],
  ];

  it.each(CASES.map((c, i) => [`#${i} ${c[0].toUpperCase()} bad ${c[3]}`, c] as const))(
    '%s',
    async (_name, [method, path, body, field, anonymous]) => {
      const before = await fingerprint();
      let req = hub.http()[method](path(hub));
      if (!anonymous) req = req.set(bearer({ accessToken: token } as never));
      if (body) req = req.send(typeof body === 'function' ? body(hub) : body);
      const res = await req;
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({ statusCode: 400, code: 'VALIDATION_FAILED' });
      expect(res.body.errorId).toBeDefined();
      expect(res.body.message).toContain(field.split('.').pop());
      expect((res.body.fields ?? []).map((x: { field: string }) => x.field)).toContain(field);
      expect(await fingerprint()).toBe(before);
    },
  );

  it('covers every route that takes input', () => {
    const covered = new Set(CASES.map(([method, path]) => `${method} ${path(hub).split('?')[0].replace(/\/[0-9a-f-]{36}|\/(not-a-uuid|123|zzz|nope)/g, '/:id')}`));
    for (const r of ['post /api/auth/login', 'post /api/auth/refresh', 'post /api/missions', 'patch /api/missions/:id', 'post /api/facilities', 'patch /api/facilities/:id', 'post /api/users', 'patch /api/users/:id', 'post /api/users/:id/memberships', 'delete /api/memberships/:id']) {
      expect(covered).toContain(r);
    }
  });

  it('answers malformed JSON with 400', async () => {
    const res = await hub.http().post('/api/auth/login').set('Content-Type', 'application/json').send('{"email":');
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ code: 'VALIDATION_FAILED', message: expect.stringMatching(/JSON/) });
  });
});
