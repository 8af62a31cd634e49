import { bearer, createTestHub, TestHub } from '@hub/testing';

/**
 * Training records, notifications and field-node administration run on the access engine (docs/security-model.md,
 * "The access engine"): through the API, each caller's lists hold only what their policy reaches, a record of
 * someone else answers 404 like a missing one, and the refusal is audited on the record's subject.
 */
describe('access engine: training records, notifications, field nodes', () => {
  let hub: TestHub;
  const http = () => hub.http();
  const q = (sql: string, params: unknown[] = []) => hub.db.dataSource.query(sql, params);
  const login = async (email: string) => bearer(await hub.login(email));

  /** The denial records of a subject (written after the request's transaction, so waited for a little). */
  async function denials(subjectType: string, subjectId: string): Promise<{ mission_id: string | null }[]> {
    for (let i = 0; i < 50; i++) {
      const rows = await q(`SELECT mission_id FROM audit_entries WHERE outcome = 'denied' AND subject_type = $1 AND subject_id = $2`, [subjectType, subjectId]);
      if (rows.length) return rows;
      await new Promise((r) => setTimeout(r, 100));
    }
    return [];
  }

  beforeAll(async () => (hub = await createTestHub({ LOG_LEVEL: 'error' }, { hubJobs: false })));
  afterAll(() => hub.close());

  it("a quiz attempt is its learner's alone: a system administrator gets 404, audited in the course's mission", async () => {
    const learner = await login('newofficer@minusca.demo');
    const [{ id: courseId }] = await q(`SELECT id FROM training_courses WHERE mission_id = $1 AND language = 'en' AND certification_kind = 'telemedicine_user'`, [hub.ids.missions.MINUSCA]);
    const attempt = (await http().post(`/api/training/courses/${courseId}/attempts`).set(learner).expect(201)).body;
    await http().get(`/api/training/attempts/${attempt.id}`).set(learner).expect(200);
    const sysadmin = await login('sysadmin@hub.demo');
    await http().get(`/api/training/attempts/${attempt.id}`).set(sysadmin).expect(404);
    await http().post(`/api/training/attempts/${attempt.id}/submit`).set(sysadmin).send({ answers: [] }).expect(404);
    expect((await denials('QuizAttempt', attempt.id)).map((d) => d.mission_id)).toContain(hub.ids.missions.MINUSCA);
    // The learner's own list holds it; nobody else's does.
    expect((await http().get(`/api/training/courses/${courseId}/attempts`).set(learner).expect(200)).body.map((a: { id: string }) => a.id)).toContain(attempt.id);
    const trainer = await login('trainer@minusca.demo');
    expect((await http().get(`/api/training/courses/${courseId}/attempts`).set(trainer).expect(200)).body).toEqual([]);
  });

  it('notifications: everyone reads and marks only their own, a system administrator too', async () => {
    const officerId = hub.ids.users['officer@minusca.demo'];
    const [{ id }] = await q(`INSERT INTO notifications (user_id, kind, text, code) VALUES ($1, 'case.answered', 'Case answered', 'case.answered') RETURNING id`, [officerId]);
    const sysadmin = await login('sysadmin@hub.demo');
    expect((await http().get('/api/notifications').set(sysadmin).expect(200)).body.map((n: { id: string }) => n.id)).not.toContain(id);
    await http().post('/api/notifications/read').set(sysadmin).send({ ids: [id] }).expect(204);
    expect((await q('SELECT read_at FROM notifications WHERE id = $1', [id]))[0].read_at).toBeNull();
    const officer = await login('officer@minusca.demo');
    const unread = (await http().get('/api/notifications?unread=true').set(officer).expect(200)).body;
    expect(unread.map((n: { id: string }) => n.id)).toContain(id);
    await http().post('/api/notifications/read').set(officer).send({ ids: [id] }).expect(204);
    expect((await q('SELECT read_at FROM notifications WHERE id = $1', [id]))[0].read_at).not.toBeNull();
    expect((await http().get('/api/notifications?unread=true').set(officer).expect(200)).body.map((n: { id: string }) => n.id)).not.toContain(id);
  });

  it("field nodes: a mission's administrators list and revoke its nodes; another mission's answer 404, audited", async () => {
    const insert = async (mission: string, facility: string) =>
      (await q(`INSERT INTO field_nodes (mission_id, facility_id, name) VALUES ($1, $2, $3) RETURNING id`, [hub.ids.missions[mission], hub.ids.facilities[facility], `Node ${mission}`]))[0].id as string;
    const minusca = await insert('MINUSCA', 'Bangui Level 1 Clinic (BANBAT)');
    const [{ name: unmissClinic }] = await q(
      `SELECT f.name FROM facilities f JOIN facility_missions fm ON fm.facility_id = f.id WHERE fm.mission_id = $1 AND f.level = 1 LIMIT 1`,
      [hub.ids.missions.UNMISS],
    );
    const unmiss = await insert('UNMISS', unmissClinic);
    const admin = await login('admin@minusca.demo');
    const listed = (await http().get('/api/sync/nodes').set(admin).expect(200)).body.map((n: { id: string }) => n.id);
    expect(listed).toContain(minusca);
    expect(listed).not.toContain(unmiss);
    await http().post(`/api/sync/nodes/${unmiss}/revoke`).set(admin).expect(404);
    expect((await q('SELECT revoked_at FROM field_nodes WHERE id = $1', [unmiss]))[0].revoked_at).toBeNull();
    expect((await denials('FieldNode', unmiss)).map((d) => d.mission_id)).toEqual([hub.ids.missions.UNMISS]);
    await http().post(`/api/sync/nodes/${minusca}/revoke`).set(admin).expect(200);
    const sysadmin = await login('sysadmin@hub.demo');
    const all = (await http().get('/api/sync/nodes').set(sysadmin).expect(200)).body.map((n: { id: string }) => n.id);
    expect(all).toEqual(expect.arrayContaining([minusca, unmiss]));
    await http().get('/api/sync/nodes').set(await login('trainer@minusca.demo')).expect(403);
  });

  it("training records: another mission's learner's progress and certificates stay out of reach", async () => {
    const [{ id: courseId }] = await q(`SELECT id FROM training_courses WHERE mission_id = $1 AND status = 'published' LIMIT 1`, [hub.ids.missions.MINUSCA]);
    // A member of UNMISS only (no membership reaching MINUSCA).
    const reaches = `(SELECT 1 FROM memberships x WHERE x.user_id = m.user_id AND (x.mission_id = $MID OR x.facility_id IN (SELECT facility_id FROM facility_missions WHERE mission_id = $MID)))`;
    const [{ user_id: unmissLearner }] = await q(
      `SELECT m.user_id FROM memberships m WHERE m.role <> 'system_admin' AND EXISTS ${reaches.replace(/\$MID/g, () => '$1')} AND NOT EXISTS ${reaches.replace(/\$MID/g, () => '$2')} LIMIT 1`,
      [hub.ids.missions.UNMISS, hub.ids.missions.MINUSCA],
    );
    const trainer = await login('trainer@minusca.demo');
    await http().get(`/api/training/courses/${courseId}/progress?userId=${unmissLearner}`).set(trainer).expect(404);
    await http().get(`/api/training/courses/${courseId}/progress?userId=${hub.ids.users['officer@minusca.demo']}`).set(trainer).expect(200);
    await http().get(`/api/training/certificates?missionId=${hub.ids.missions.UNMISS}`).set(trainer).expect(404);
    const officer = await login('officer@minusca.demo');
    await http().get(`/api/training/courses/${courseId}/progress?userId=${hub.ids.users['trainer@minusca.demo']}`).set(officer).expect(404);
    await http().get(`/api/training/courses/${courseId}/progress`).set(officer).expect(200);
  });
});
