import { bearer, createTestHub, TestHub } from '@hub/testing';

/** Lists never carry another mission's records; records reaching several missions need rights in all of them. */
describe('mission scoping', () => {
  let hub: TestHub;
  beforeAll(async () => (hub = await createTestHub()));
  afterAll(() => hub.close());

  const get = async (email: string, path: string) =>
    (await hub.http().get(path).set(bearer(await hub.login(email))).expect(200)).body;

  it('shows each role only its own mission', async () => {
    for (const email of ['officer@minusca.demo', 'doctor@minusca.demo', 'manager@minusca.demo', 'trainer@minusca.demo', 'admin@minusca.demo']) {
      const missions = await get(email, '/api/missions');
      expect(missions.map((m: { code: string }) => m.code)).toEqual(['MINUSCA']);
      const facilities = await get(email, '/api/facilities');
      expect(facilities.map((f: { name: string }) => f.name).sort()).toEqual(
        ['Bangui Level 1 Clinic (BANBAT)', 'Bangui Level 2 Hospital', 'Bria Level 1 Clinic (ZAMBAT)', 'Nairobi Reference Hospital (Level 4)'].sort(),
      );
    }
    expect((await get('sysadmin@hub.demo', '/api/missions')).map((m: { code: string }) => m.code)).toEqual(['MINUSCA', 'UNMISS']);
  });

  it('lists only users reaching the caller’s missions, and a filter cannot widen it', async () => {
    const users: { email: string }[] = await get('admin@minusca.demo', '/api/users');
    const emails = users.map((u) => u.email);
    expect(emails).toContain('officer@minusca.demo');
    expect(emails).toContain('specialist@l4.demo'); // the Level 4 hospital serves MINUSCA too
    expect(emails.filter((e) => e.endsWith('@unmiss.demo'))).toEqual([]);
    expect(emails).not.toContain('sysadmin@hub.demo');
    // Filtering by another mission narrows to users reaching both: only the shared Level 4 staff.
    const widened: { email: string }[] = await get('admin@minusca.demo', `/api/users?missionId=${hub.ids.missions.UNMISS}`);
    expect(widened.map((u) => u.email).sort()).toEqual(['psychologist@l4.demo', 'specialist@l4.demo']);
    const unmissFacilities = await get('admin@minusca.demo', `/api/facilities?missionId=${hub.ids.missions.UNMISS}`);
    expect(unmissFacilities.map((f: { level: number }) => f.level)).toEqual([4]);
  });

  it('officers and doctors see no user list but their own record', async () => {
    expect(await get('officer@minusca.demo', '/api/users')).toEqual([]);
    const self = await get('officer@minusca.demo', `/api/users/${hub.ids.users['officer@minusca.demo']}`);
    expect(self.email).toBe('officer@minusca.demo');
  });

  it('lets a mission administrator read, but not change, staff shared with another mission', async () => {
    const admin = bearer(await hub.login('admin@minusca.demo'));
    const specialist = hub.ids.users['specialist@l4.demo'];
    await hub.http().get(`/api/users/${specialist}`).set(admin).expect(200);
    await hub.http().patch(`/api/users/${specialist}`).set(admin).send({ active: false }).expect(404);
    const l4 = hub.ids.facilities['Nairobi Reference Hospital (Level 4)'];
    await hub.http().patch(`/api/facilities/${l4}`).set(admin).send({ name: 'Renamed' }).expect(404);
    const [{ active }] = await hub.db.dataSource.query('SELECT active FROM users WHERE id = $1', [specialist]);
    expect(active).toBe(true);
    // The system administrator may.
    const sys = bearer(await hub.login('sysadmin@hub.demo'));
    await hub.http().patch(`/api/facilities/${l4}`).set(sys).send({ name: 'Nairobi Reference Hospital (Level 4)' }).expect(200);
  });

  it('never takes the mission of a new record from the body unless the caller acts in that mission', async () => {
    const admin = bearer(await hub.login('admin@minusca.demo'));
    const before = (await hub.db.dataSource.query('SELECT count(*)::int AS n FROM users'))[0].n;
    const res = await hub
      .http()
      .post('/api/users')
      .set(admin)
      .send({
        email: 'smuggled@unmiss.demo',
        displayName: 'Smuggled',
        password: 'a-long-enough-password',
        membership: { role: 'trainer', missionId: hub.ids.missions.UNMISS },
      })
      .expect(404);
    expect(res.body.message).toMatch(/missionId/);
    expect((await hub.db.dataSource.query('SELECT count(*)::int AS n FROM users'))[0].n).toBe(before);
    // Nor a membership at the shared Level 4 hospital, which would reach UNMISS as well.
    await hub
      .http()
      .post(`/api/users/${hub.ids.users['officer@minusca.demo']}/memberships`)
      .set(admin)
      .send({ role: 'reference_doctor', facilityId: hub.ids.facilities['Nairobi Reference Hospital (Level 4)'] })
      .expect(400);
  });

  it('audits a denied record access in the record’s mission', async () => {
    const officer = bearer(await hub.login('officer@unmiss.demo'));
    await hub.http().get(`/api/missions/${hub.ids.missions.MINUSCA}`).set(officer).expect(404);
    const rows = await hub.db.dataSource.query(
      `SELECT mission_id, subject_type, outcome FROM audit_entries WHERE action = 'access.denied' AND actor_id = $1`,
      [hub.ids.users['officer@unmiss.demo']],
    );
    expect(rows).toEqual([{ mission_id: hub.ids.missions.MINUSCA, subject_type: 'Mission', outcome: 'denied' }]);
  });
});
