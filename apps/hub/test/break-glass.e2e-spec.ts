import { Clock } from '@hub/common';
import { bearer, createTestHub, TestHub } from '@hub/testing';
import { outOfScopeCase } from './break-glass-matrix';

const HOUR = 3600 * 1000;

/**
 * Break-the-glass (issue 16 item 4, docs/security-model.md): a clinician of the case's mission opens it outside their
 * normal scope with a reason, for the mission's time only (clock moved, cached principal included); the grant and
 * every read under it are audited with the reason; the health manager reviews it (accept / flag with a note); never
 * across missions, never a sensitive case.
 */
describe('break-the-glass', () => {
  let hub: TestHub;
  let now: number;
  beforeAll(async () => {
    hub = await createTestHub({}, { hubJobs: false });
    now = Date.now();
    jest.spyOn(hub.app.get(Clock), 'now').mockImplementation(() => new Date(now));
  });
  afterAll(() => hub.close());

  const audit = (action: string, subjectId: string) =>
    hub.db.dataSource.query(`SELECT outcome, mission_id, details FROM audit_entries WHERE action = $1 AND subject_id = $2 ORDER BY id`, [action, subjectId]);

  it('grants read access for the mission’s time only, audited with the reason, and lists the case meanwhile', async () => {
    const doctor = bearer(await hub.login('doctor@minusca.demo'));
    const caseId = await outOfScopeCase(hub, 'own');
    // Outside their scope: not found, and no list shows it.
    await hub.http().get(`/api/cases/${caseId}`).set(doctor).expect(404);

    // A reason is required, of some length; the answer names the field.
    const short = await hub.http().post(`/api/cases/${caseId}/break-glass`).set(doctor).send({ reason: '  urgent   ' }).expect(400);
    expect(JSON.stringify(short.body)).toContain('reason');
    await hub.http().post(`/api/cases/${caseId}/break-glass`).set(doctor).send({}).expect(400);

    const reason = 'Patient unconscious after a blast, need his allergies';
    const opened = await hub.http().post(`/api/cases/${caseId}/break-glass`).set(doctor).set('Idempotency-Key', `bg-${caseId}`).send({ reason }).expect(201);
    expect(opened.body).toMatchObject({ caseId, reason, reviewState: 'pending', active: true });
    expect(new Date(opened.body.expiresAt).getTime() - new Date(opened.body.startedAt).getTime()).toBe(2 * HOUR);
    // The retry replays the first answer; no second grant.
    const again = await hub.http().post(`/api/cases/${caseId}/break-glass`).set(doctor).set('Idempotency-Key', `bg-${caseId}`).send({ reason }).expect(201);
    expect(again.body.id).toBe(opened.body.id);
    const [{ n }] = await hub.db.dataSource.query('SELECT count(*)::int AS n FROM break_glass_grants WHERE case_id = $1', [caseId]);
    expect(n).toBe(1);

    // The next request reads it (the cached principal was dropped), with the banner's facts; the list shows it.
    const page = await hub.http().get(`/api/cases/${caseId}`).set(doctor).expect(200);
    expect(page.body.emergencyAccess).toEqual({ grantId: opened.body.id, reason, expiresAt: opened.body.expiresAt });
    expect(page.body.allowedActions).toEqual([]);
    const mine = await hub.http().get('/api/cases').set(doctor).expect(200);
    expect(mine.body.items.map((c: { id: string }) => c.id)).toContain(caseId);
    await hub.http().get(`/api/cases/${caseId}/fhir`).set(doctor).expect(200);
    // Read only: the clinic's and the specialist's actions stay refused.
    await hub.http().post(`/api/cases/${caseId}/accept`).set(doctor).expect(404);

    // Audited: the grant with its reason, and each read under it marked as emergency access.
    const granted = await audit('case.break_glass', caseId);
    expect(granted).toEqual([expect.objectContaining({ outcome: 'success', mission_id: hub.ids.missions.MINUSCA, details: expect.objectContaining({ emergencyAccess: true, reason }) })]);
    const reads = await audit('case.read', caseId);
    expect(reads.length).toBeGreaterThan(0);
    expect(reads.every((r: { details: Record<string, unknown> }) => r.details?.emergencyAccess === true && r.details?.reason === reason)).toBe(true);
    expect((await audit('case.fhir_export', caseId))[0].details).toMatchObject({ emergencyAccess: true, grantId: opened.body.id });

    // A minute before the end it still reads; at the end (clock moved) it is refused again, with no write in between.
    now += 2 * HOUR - 60_000;
    await hub.http().get(`/api/cases/${caseId}`).set(doctor).expect(200);
    now += 60_000;
    await hub.http().get(`/api/cases/${caseId}`).set(doctor).expect(404);
    const after = await hub.http().get('/api/cases').set(doctor).expect(200);
    expect(after.body.items.map((c: { id: string }) => c.id)).not.toContain(caseId);
    // A grant that ended is not running: a new request starts a new one.
    const renewed = await hub.http().post(`/api/cases/${caseId}/break-glass`).set(doctor).send({ reason: 'Still unconscious, second look' }).expect(201);
    expect(renewed.body.id).not.toBe(opened.body.id);
  });

  it('the mission length applies, and the health manager reviews: accept, flag with a note, audited', async () => {
    // The mission administrator sets the length (15 to 720 minutes; anything else names the field).
    const admin = bearer(await hub.login('admin@minusca.demo'));
    const mission = `/api/missions/${hub.ids.missions.MINUSCA}`;
    const bad = await hub.http().patch(mission).set(admin).send({ breakGlassMinutes: 5 }).expect(400);
    expect(JSON.stringify(bad.body)).toContain('breakGlassMinutes');
    expect((await hub.http().patch(mission).set(admin).send({ breakGlassMinutes: 30 }).expect(200)).body.breakGlassMinutes).toBe(30);
    const officer = bearer(await hub.login('officer@minusca.demo'));
    const first = await outOfScopeCase(hub, 'own');
    const second = await outOfScopeCase(hub, 'own');
    const a = (await hub.http().post(`/api/cases/${first}/break-glass`).set(officer).send({ reason: 'Casualty evacuated here, need history' }).expect(201)).body;
    const b = (await hub.http().post(`/api/cases/${second}/break-glass`).set(officer).send({ reason: 'Just curious about this patient' }).expect(201)).body;
    expect(new Date(a.expiresAt).getTime() - new Date(a.startedAt).getTime()).toBe(30 * 60_000);
    await hub.http().patch(mission).set(admin).send({ breakGlassMinutes: 120 }).expect(200);

    const manager = bearer(await hub.login('manager@minusca.demo'));
    // The mission's health manager was told (without the reason), to review it.
    const notes = (await hub.http().get('/api/notifications').set(manager).expect(200)).body.filter((n: { kind: string; caseId: string }) => n.kind === 'case.emergency_access' && n.caseId === first);
    expect(notes).toHaveLength(1);
    expect(JSON.stringify(notes[0])).not.toContain('Casualty evacuated');
    const pending = (await hub.http().get('/api/break-glass').set(manager).expect(200)).body;
    expect(pending.map((g: { id: string }) => g.id)).toEqual(expect.arrayContaining([a.id, b.id]));
    expect(pending.find((g: { id: string }) => g.id === a.id)).toMatchObject({ userName: expect.any(String), reason: 'Casualty evacuated here, need history', reviewState: 'pending' });
    // Another mission's manager sees neither, and cannot review them.
    const other = bearer(await hub.login('manager@unmiss.demo'));
    const theirs = (await hub.http().get('/api/break-glass?state=all').set(other).expect(200)).body;
    expect(theirs.map((g: { id: string }) => g.id)).not.toContain(a.id);
    await hub.http().post(`/api/break-glass/${a.id}/review`).set(other).send({ decision: 'accepted' }).expect(404);
    // The clinician cannot review their own.
    await hub.http().post(`/api/break-glass/${a.id}/review`).set(officer).send({ decision: 'accepted' }).expect(403);

    await hub.http().post(`/api/break-glass/${a.id}/review`).set(manager).set('Idempotency-Key', `review-${a.id}`).send({ decision: 'accepted' }).expect(200);
    // Flagging needs a note (named in the answer).
    const noNote = await hub.http().post(`/api/break-glass/${b.id}/review`).set(manager).send({ decision: 'flagged' }).expect(400);
    expect(JSON.stringify(noNote.body)).toContain('note');
    await hub.http().post(`/api/break-glass/${b.id}/review`).set(manager).send({ decision: 'maybe' }).expect(400);
    const flagged = (await hub.http().post(`/api/break-glass/${b.id}/review`).set(manager).send({ decision: 'flagged', note: 'No clinical need stated' }).expect(200)).body;
    expect(flagged).toMatchObject({ reviewState: 'flagged', reviewNote: 'No clinical need stated', reviewedByName: expect.any(String) });

    const nowPending = (await hub.http().get('/api/break-glass').set(manager).expect(200)).body.map((g: { id: string }) => g.id);
    expect(nowPending).not.toContain(a.id);
    expect(nowPending).not.toContain(b.id);
    const flaggedList = (await hub.http().get('/api/break-glass?state=flagged').set(manager).expect(200)).body.map((g: { id: string }) => g.id);
    expect(flaggedList).toContain(b.id);
    expect(await audit('break_glass.review', b.id)).toEqual([
      expect.objectContaining({ outcome: 'success', mission_id: hub.ids.missions.MINUSCA, details: expect.objectContaining({ decision: 'flagged', note: 'No clinical need stated' }) }),
    ]);
    const onA = await audit('break_glass.review', a.id);
    // the other mission's manager's attempt is there as a refusal, the acceptance as a success
    expect(onA.map((r: { outcome: string }) => r.outcome)).toEqual(['denied', 'success']);
    expect(onA[1].details).toMatchObject({ decision: 'accepted' });
  });

  it('is refused across missions and for sensitive cases (404, audited), and not needed for a case already reached', async () => {
    const doctor = bearer(await hub.login('doctor@minusca.demo'));
    const reason = 'Patient transferred to us, need the history';
    const elsewhere = await outOfScopeCase(hub, 'other');
    await hub.http().post(`/api/cases/${elsewhere}/break-glass`).set(doctor).send({ reason }).expect(404);
    expect(await audit('case.break_glass', elsewhere)).toEqual([expect.objectContaining({ outcome: 'denied', mission_id: hub.ids.missions.UNMISS })]);
    await hub.http().get(`/api/cases/${elsewhere}`).set(doctor).expect(404);

    // A mental-health case stays with its treating clinician and referring officer: no emergency access.
    const sensitive = await outOfScopeCase(hub, 'own', true, 'manager@minusca.demo');
    await hub.http().post(`/api/cases/${sensitive}/break-glass`).set(doctor).send({ reason }).expect(404);
    expect(await audit('case.break_glass', sensitive)).toEqual([expect.objectContaining({ outcome: 'denied' })]);
    const [{ n }] = await hub.db.dataSource.query('SELECT count(*)::int AS n FROM break_glass_grants WHERE case_id = $1', [sensitive]);
    expect(n).toBe(0);
    // Even a grant written behind the service's back does not open it: the engine's sensitive-record restriction wins.
    await hub.db.dataSource.query(
      `INSERT INTO break_glass_grants (user_id, case_id, mission_id, reason, started_at, expires_at) VALUES ($1, $2, $3, 'forged', $4, $5)`,
      [hub.ids.users['doctor@minusca.demo'], sensitive, hub.ids.missions.MINUSCA, new Date(now - 60_000), new Date(now + HOUR)],
    );
    await hub.http().get(`/api/cases/${sensitive}`).set(doctor).expect(404);

    // Health managers read their missions' cases already; trainers and administrators are no clinicians.
    const own = await outOfScopeCase(hub, 'own');
    const manager = await hub.http().post(`/api/cases/${own}/break-glass`).set(bearer(await hub.login('manager@minusca.demo'))).send({ reason }).expect(409);
    expect(manager.body.params).toMatchObject({ reason: 'break_glass_not_needed' });
    await hub.http().post(`/api/cases/${own}/break-glass`).set(bearer(await hub.login('trainer@minusca.demo'))).send({ reason }).expect(404);
  });
});
