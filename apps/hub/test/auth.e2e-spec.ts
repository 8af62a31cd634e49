import { generate } from 'otplib';
import { bearer, createTestHub, TestHub } from '@hub/testing';
import { DEMO_PASSWORD } from '../src/seed/demo-seed';

describe('sign-in, tokens and MFA', () => {
  let hub: TestHub;
  beforeAll(async () => (hub = await createTestHub({ LOGIN_MAX_FAILURES: '3', LOGIN_LOCK_MINUTES: '5' })));
  afterAll(() => hub.close());

  const login = (email: string, password = DEMO_PASSWORD, totp?: string) =>
    hub.http().post('/api/auth/login').send({ email, password, ...(totp ? { totp } : {}) });
  const auditCount = async (action: string, outcome: string) =>
    (await hub.db.dataSource.query('SELECT count(*)::int AS n FROM audit_entries WHERE action = $1 AND outcome = $2', [action, outcome]))[0].n;

  it('signs in with a short-lived access token and a refresh token, and audits it', async () => {
    const before = await auditCount('auth.login', 'success');
    const res = await login('officer@minusca.demo').expect(200);
    expect(res.body).toMatchObject({ expiresIn: 900, mfaEnrolmentRequired: false });
    expect(res.body.user.memberships[0]).toMatchObject({ role: 'field_medical_officer', missionCode: 'MINUSCA' });
    expect(res.body.user).not.toHaveProperty('passwordHash');
    await hub.http().get('/api/auth/me').set(bearer(res.body)).expect(200);
    expect(await auditCount('auth.login', 'success')).toBe(before + 1);
  });

  it('answers a wrong password and an unknown email alike, and audits both', async () => {
    const before = await auditCount('auth.login', 'failure');
    const wrong = await login('doctor@minusca.demo', 'not the password').expect(401);
    const unknown = await login('nobody@minusca.demo', 'not the password').expect(401);
    expect(wrong.body).toMatchObject({ code: 'INVALID_CREDENTIALS', message: 'Wrong email or password' });
    expect(unknown.body).toMatchObject({ code: 'INVALID_CREDENTIALS', message: 'Wrong email or password' });
    expect(wrong.body.errorId).toMatch(/^[0-9a-f-]{36}$/);
    expect(await auditCount('auth.login', 'failure')).toBe(before + 2);
  });

  it('rotates refresh tokens and revokes the session when a used one comes back', async () => {
    const first = (await login('trainer@minusca.demo').expect(200)).body;
    const second = (await hub.http().post('/api/auth/refresh').send({ refreshToken: first.refreshToken }).expect(200)).body;
    expect(second.refreshToken).not.toBe(first.refreshToken);
    await hub.http().get('/api/auth/me').set(bearer(second)).expect(200);
    // the first token again: theft suspected, the whole session ends
    const reuse = await hub.http().post('/api/auth/refresh').send({ refreshToken: first.refreshToken }).expect(401);
    expect(reuse.body.code).toBe('INVALID_REFRESH_TOKEN');
    await hub.http().post('/api/auth/refresh').send({ refreshToken: second.refreshToken }).expect(401);
    const ended = await hub.http().get('/api/auth/me').set(bearer(second)).expect(401);
    expect(ended.body.message).toMatch(/session has ended/);
  });

  it('logout revokes the session at once', async () => {
    const s = (await login('manager@minusca.demo').expect(200)).body;
    await hub.http().post('/api/auth/logout').set(bearer(s)).send({ refreshToken: s.refreshToken }).expect(204);
    await hub.http().get('/api/auth/me').set(bearer(s)).expect(401);
    await hub.http().post('/api/auth/refresh').send({ refreshToken: s.refreshToken }).expect(401);
  });

  it('throttles failures per account and address, alike for unknown accounts, without locking the owner out elsewhere', async () => {
    const from = (ip: string) => (email: string, password: string) =>
      hub.http().post('/api/auth/login').set('X-Forwarded-For', ip).send({ email, password });
    // TRUST_PROXY is unset: a forged X-Forwarded-For does not change the address, so it cannot lift the limit.
    for (let i = 0; i < 3; i++) await from(`203.0.113.${i}`)('officer@unmiss.demo', 'wrong').expect(401);
    const real = await login('officer@unmiss.demo', 'wrong').expect(429);
    expect(real.body).toMatchObject({ code: 'TOO_MANY_REQUESTS' });
    expect(real.body.message).toMatch(/try again in \d+ s/);
    await login('officer@unmiss.demo').expect(429); // even the right password, from this address
    for (let i = 0; i < 3; i++) await login('ghost@unmiss.demo', 'wrong').expect(401);
    const ghost = await login('ghost@unmiss.demo', 'wrong').expect(429);
    // The answer for a real account and for one that does not exist is the same.
    const shape = (m: string) => m.replace(/\d+ s$/, 'N s');
    expect([ghost.body.code, shape(ghost.body.message)]).toEqual([real.body.code, shape(real.body.message)]);
    // Nothing is stored on the account: its owner, elsewhere, signs in.
    const [{ locked_until }] = await hub.db.dataSource.query(`SELECT locked_until FROM users WHERE email = 'officer@unmiss.demo'`);
    expect(locked_until).toBeNull();
  });

  it('requires administrators to enrol TOTP before anything else, then to give a code at each sign-in', async () => {
    const first = (await login('admin@unmiss.demo').expect(200)).body;
    expect(first.mfaEnrolmentRequired).toBe(true);
    const blocked = await hub.http().get('/api/users').set(bearer(first)).expect(403);
    expect(blocked.body.code).toBe('MFA_ENROLMENT_REQUIRED');
    const setup = (await hub.http().post('/api/auth/mfa/setup').set(bearer(first)).expect(200)).body;
    expect(setup.otpauthUrl).toMatch(/^otpauth:\/\/totp\//);
    await hub.http().post('/api/auth/mfa/enable').set(bearer(first)).send({ code: '12345' }).expect(400);
    const code = await generate({ secret: setup.secret });
    const enabled = (await hub.http().post('/api/auth/mfa/enable').set(bearer(first)).send({ code }).expect(200)).body;
    expect(enabled.mfaEnrolmentRequired).toBe(false);
    await hub.http().get('/api/users').set(bearer(enabled)).expect(200);
    // the enrolment-only session is gone
    await hub.http().get('/api/auth/me').set(bearer(first)).expect(401);

    const needCode = await login('admin@unmiss.demo').expect(401);
    expect(needCode.body.code).toBe('MFA_REQUIRED');
    // the code already used at enrolment cannot be replayed
    const replay = await login('admin@unmiss.demo', DEMO_PASSWORD, code).expect(401);
    expect(replay.body.code).toBe('INVALID_TOTP');
    const later = await generate({ secret: setup.secret, epoch: Math.floor(Date.now() / 1000) + 30 });
    await login('admin@unmiss.demo', DEMO_PASSWORD, later).expect(200);

    // The secret is encrypted at rest (key outside the database): the column does not hold it.
    const [{ mfa_secret }] = await hub.db.dataSource.query(`SELECT mfa_secret FROM users WHERE email = 'admin@unmiss.demo'`);
    expect(mfa_secret).toMatch(/^enc:v1:/);
    expect(mfa_secret).not.toContain(setup.secret);
    // Two simultaneous sign-ins with one fresh code: exactly one gets in (checked and consumed atomically).
    await hub.db.dataSource.query(`UPDATE users SET mfa_last_step = NULL WHERE email = 'admin@unmiss.demo'`);
    const next = await generate({ secret: setup.secret });
    const both = await Promise.all([1, 2, 3].map(() => login('admin@unmiss.demo', DEMO_PASSWORD, next)));
    expect(both.map((r) => r.status).sort()).toEqual([200, 401, 401]);
  });

  it('makes TOTP required for everyone in a mission that asks for it', async () => {
    const sys = await hub.login('sysadmin@hub.demo');
    await hub
      .http()
      .patch(`/api/missions/${hub.ids.missions.UNMISS}`)
      .set(bearer(sys))
      .send({ mfaRequiredForAll: true })
      .expect(200);
    const res = (await login('doctor@unmiss.demo').expect(200)).body;
    expect(res.mfaEnrolmentRequired).toBe(true);
  });

  it('applies deactivation and role changes on the very next request', async () => {
    const sys = await hub.login('sysadmin@hub.demo');
    const victim = (await login('doctor@minusca.demo').expect(200)).body;
    await hub.http().get(`/api/facilities/${hub.ids.facilities['Bangui Level 2 Hospital']}`).set(bearer(victim)).expect(200);

    // role change: remove the only membership -> the facility is no longer visible
    const me = (await hub.http().get('/api/auth/me').set(bearer(victim)).expect(200)).body;
    await hub.http().delete(`/api/memberships/${me.memberships[0].id}`).set(bearer(sys)).expect(204);
    await hub.http().get(`/api/facilities/${hub.ids.facilities['Bangui Level 2 Hospital']}`).set(bearer(victim)).expect(403);

    // deactivation: the same token stops working at once, and sign-in is refused
    await hub.http().patch(`/api/users/${victim.user.id}`).set(bearer(sys)).send({ active: false }).expect(200);
    const gone = await hub.http().get('/api/auth/me').set(bearer(victim)).expect(403);
    expect(gone.body.code).toBe('ACCOUNT_DISABLED');
    await login('doctor@minusca.demo').expect(403);
  });

  it("stores the caller's own interface language, returns it with the session, and refuses an unknown one", async () => {
    const s = (await login('trainer@unmiss.demo').expect(200)).body;
    expect(s.user.locale).toBeNull();
    const set = await hub.http().patch('/api/auth/me').set(bearer(s)).send({ locale: 'fr' }).expect(200);
    expect(set.body.locale).toBe('fr');
    expect((await hub.http().get('/api/auth/me').set(bearer(s)).expect(200)).body.locale).toBe('fr');
    expect((await login('trainer@unmiss.demo').expect(200)).body.user.locale).toBe('fr');
    const bad = await hub.http().patch('/api/auth/me').set(bearer(s)).send({ locale: 'de' }).expect(400);
    expect(JSON.stringify(bad.body)).toContain('locale');
    expect((await hub.http().get('/api/auth/me').set(bearer(s)).expect(200)).body.locale).toBe('fr');
    await hub.http().patch('/api/auth/me').set(bearer(s)).send({ locale: null }).expect(200);
    expect((await hub.http().get('/api/auth/me').set(bearer(s)).expect(200)).body.locale).toBeNull();
    expect(await auditCount('user.preferences_updated', 'success')).toBeGreaterThanOrEqual(2);
  });

  it('rejects a forged or expired access token', async () => {
    const s = (await login('trainer@unmiss.demo').expect(200)).body;
    const [h, p] = s.accessToken.split('.');
    await hub.http().get('/api/auth/me').set('Authorization', `Bearer ${h}.${p}.forged`).expect(401);
    const { TokenService } = await import('@hub/identity');
    const jwt = (hub.app.get(TokenService) as unknown as { jwt: { sign(p: object, o: object): string } }).jwt;
    const expired = jwt.sign({ sub: s.user.id, sid: 'x', fa: true, typ: 'access' }, { expiresIn: -10 });
    const res = await hub.http().get('/api/auth/me').set('Authorization', `Bearer ${expired}`).expect(401);
    expect(res.body.code).toBe('TOKEN_EXPIRED');
  });
});

describe('login rate limit', () => {
  let hub: TestHub;
  beforeAll(async () => (hub = await createTestHub({ LOGIN_RATE_LIMIT_PER_MINUTE: '5' })));
  afterAll(() => hub.close());

  it('slows one address trying many sign-ins', async () => {
    const codes: number[] = [];
    for (let i = 0; i < 7; i++) {
      codes.push((await hub.http().post('/api/auth/login').send({ email: `x${i}@y.demo`, password: 'nope' })).status);
    }
    expect(codes.slice(0, 5)).toEqual([401, 401, 401, 401, 401]);
    expect(codes.slice(5)).toEqual([429, 429]);
  });
});
