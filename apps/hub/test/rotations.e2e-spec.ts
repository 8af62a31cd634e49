import { Clock } from '@hub/common';
import { RotationEndService } from '@hub/rotations';
import { bearer, createTestHub, TestHub } from '@hub/testing';
import { caseBody, PATIENT } from './fixtures';

const DAY = 24 * 3600 * 1000;

/**
 * Rotations (issue 16 item 3): an incoming rotation imported from CSV with good and bad rows (idempotent on retry);
 * an outgoing officer's hand-over; the officer's rights end at the end date by themselves (clock moved, cached
 * principal included) and the health manager is told about what was left unassigned.
 */
describe('rotations and hand-over', () => {
  let hub: TestHub;
  let now: number;
  beforeAll(async () => {
    hub = await createTestHub({}, { hubJobs: false });
    now = Date.now();
    jest.spyOn(hub.app.get(Clock), 'now').mockImplementation(() => new Date(now));
  });
  afterAll(() => hub.close());

  it('imports an incoming rotation with a report of refused rows, idempotent on retry', async () => {
    const admin = bearer(await hub.login('admin@minusca.demo'));
    const csv = [
      'name,email,role,facility,start,end',
      'Dr. Incoming One,Incoming1@minusca.demo,field_medical_officer,Bangui Level 1 Clinic (BANBAT),2026-12-01,2027-05-31',
      'Trainer Incoming,incoming-trainer@minusca.demo,trainer,,2026-12-01,2027-05-31',
      'Pilot,pilot@minusca.demo,pilot,,2026-12-01,2027-05-31',
      'No Address,not-an-address,trainer,,2026-12-01,2027-05-31',
      'Wrong Clinic,wrong-clinic@minusca.demo,field_medical_officer,Juba Level 1 Clinic (RWANBAT),2026-12-01,2027-05-31',
      'Already Here,officer@unmiss.demo,trainer,,2026-12-01,2027-05-31',
      'Twice,incoming1@minusca.demo,trainer,,2026-12-01,2027-05-31',
      'Backwards,backwards@minusca.demo,trainer,,2027-05-31,2026-12-01',
      ',nameless@minusca.demo,trainer,,2026-12-01,2027-05-31',
      'No Clinic,no-clinic@minusca.demo,field_medical_officer,,2026-12-01,2027-05-31',
    ].join('\n');
    const body = { missionId: hub.ids.missions.MINUSCA, cohortName: 'BANBAT-13 rotation', csv };
    const first = (await hub.http().post('/api/rotations/import').set(admin).set('Idempotency-Key', 'rotation-13').send(body).expect(200)).body;
    expect({ created: first.created, alreadyImported: first.alreadyImported, refused: first.refused }).toEqual({ created: 2, alreadyImported: 0, refused: 8 });
    const byLine = Object.fromEntries(first.rows.map((r: { line: number; status: string; reason: string | null }) => [r.line, [r.status, r.reason?.split(':')[0] ?? null]]));
    expect(byLine).toEqual({
      2: ['created', null],
      3: ['created', null],
      4: ['refused', 'role'],
      5: ['refused', 'email'],
      6: ['refused', 'facility'],
      7: ['refused', 'email'],
      8: ['refused', 'email'],
      9: ['refused', 'end'],
      10: ['refused', 'name'],
      11: ['refused', 'facility'],
    });
    expect(first.rows.find((r: { line: number }) => r.line === 8).reason).toContain('line 2');
    // the accounts exist with their dated memberships, in one cohort
    const members = await hub.db.dataSource.query(
      `SELECT u.email, m.role, m.facility_id, m.mission_id, m.starts_at, m.ends_at FROM users u JOIN memberships m ON m.user_id = u.id
        JOIN training_cohort_members cm ON cm.user_id = u.id WHERE cm.cohort_id = $1 ORDER BY u.email`,
      [first.cohortId],
    );
    expect(members).toEqual([
      { email: 'incoming-trainer@minusca.demo', role: 'trainer', facility_id: null, mission_id: hub.ids.missions.MINUSCA, starts_at: new Date('2026-12-01T00:00:00Z'), ends_at: new Date('2027-06-01T00:00:00Z') },
      { email: 'incoming1@minusca.demo', role: 'field_medical_officer', facility_id: hub.ids.facilities['Bangui Level 1 Clinic (BANBAT)'], mission_id: null, starts_at: new Date('2026-12-01T00:00:00Z'), ends_at: new Date('2027-06-01T00:00:00Z') },
    ]);
    // the same request again is replayed; the same file sent again without a key changes nothing
    const replay = await hub.http().post('/api/rotations/import').set(admin).set('Idempotency-Key', 'rotation-13').send(body).expect(200);
    expect(replay.headers['idempotent-replayed']).toBe('true');
    const again = (await hub.http().post('/api/rotations/import').set(admin).send(body).expect(200)).body;
    expect({ cohortId: again.cohortId, created: again.created, alreadyImported: again.alreadyImported, refused: again.refused }).toEqual({ cohortId: first.cohortId, created: 0, alreadyImported: 2, refused: 8 });
    const [{ n }] = await hub.db.dataSource.query(`SELECT count(*)::int AS n FROM users WHERE email LIKE 'incoming%@minusca.demo'`);
    expect(n).toBe(2);
    // a file without the columns is a 400 on csv; another mission's administrator gets 404 (audited)
    const noColumns = await hub.http().post('/api/rotations/import').set(admin).send({ ...body, csv: 'name,email\nA,a@b.org' }).expect(400);
    expect(noColumns.body.fields.map((f: { field: string }) => f.field)).toEqual(['csv']);
    expect(noColumns.body.message).toContain('role');
    await hub.http().post('/api/rotations/import').set(bearer(await hub.login('admin@unmiss.demo'))).send(body).expect(404);
    const [{ denied }] = await hub.db.dataSource.query(
      `SELECT count(*)::int AS denied FROM audit_entries WHERE actor_id = $1 AND outcome = 'denied' AND action = 'rotation.import'`,
      [hub.ids.users['admin@unmiss.demo']],
    );
    expect(denied).toBe(1);
  });

  it('hands over an outgoing officer’s cases, ends the rights at the end date and tells the manager what was left', async () => {
    const officer = bearer(await hub.login('officer@minusca.demo'));
    const admin = bearer(await hub.login('admin@minusca.demo'));
    const manager = bearer(await hub.login('manager@minusca.demo'));
    const doctor = bearer(await hub.login('doctor@minusca.demo'));
    const successorId = hub.ids.users['newofficer@minusca.demo'];
    const patientId = (await hub.http().post('/api/patients').set(officer).send({ ...PATIENT, serviceNumber: 'BAN-2026-0999' }).expect(201)).body.id;
    const open = async () => (await hub.http().post('/api/cases').set(officer).send(caseBody(patientId, { submit: true })).expect(201)).body.id as string;
    const [a, b] = [await open(), await open()];
    // a plan's check on case a follows the case
    await hub.http().post(`/api/cases/${a}/accept`).set(doctor).expect(200);
    await hub.http().post(`/api/cases/${a}/answer`).set(doctor).send({ assessment: 'x', recommendation: 'y', evacuation: { type: 'none' }, plan: { checks: [{ day: 2, question: 'Better?' }] } }).expect(200);

    // the rotation's end date, set by the mission's administrator
    const membership = (await hub.http().get(`/api/users/${hub.ids.users['officer@minusca.demo']}`).set(admin).expect(200)).body.memberships[0];
    const endsAt = new Date(now + 2 * DAY).toISOString();
    const dated = await hub.http().patch(`/api/memberships/${membership.id}`).set(admin).send({ endsAt }).expect(200);
    expect(dated.body.endsAt).toBe(endsAt.replace(/\.\d{3}Z$/, 'Z'));
    await hub.http().patch(`/api/memberships/${membership.id}`).set(admin).send({ endsAt: 'soon' }).expect(400);

    // bad hand-overs store nothing
    const noNote = await hub.http().post('/api/rotations/hand-over').set(officer).send({ successorId, note: ' ' }).expect(400);
    expect(noNote.body.message).toContain('note');
    const stranger = await hub.http().post('/api/rotations/hand-over').set(officer).send({ successorId: hub.ids.users['officer@unmiss.demo'], note: 'All yours' }).expect(404);
    expect(stranger.body.message).toContain('successorId');
    await hub.http().post('/api/rotations/hand-over').set(doctor).send({ note: 'Not mine to give' }).expect(403);

    const handed = (await hub.http().post('/api/rotations/hand-over').set(officer).set('Idempotency-Key', 'hand-over-1').send({ successorId, note: 'Case a: antibiotics started; case b: waiting for dermatology.' }).expect(200)).body;
    expect(handed.cases.map((c: { id: string }) => c.id).sort()).toEqual([a, b].sort());
    expect(handed).toMatchObject({ checks: 1, successorId });
    const view = (await hub.http().get(`/api/cases/${a}`).set(officer).expect(200)).body;
    expect(view.responsibleOfficerId).toBe(successorId);
    expect(view.messages.filter((m: { kind: string }) => m.kind === 'hand_over_note').map((m: { body: string }) => m.body)).toEqual([
      expect.stringMatching(/^Handed over to .*: Case a: antibiotics started/),
    ]);
    const successorNotes = (await hub.http().get('/api/notifications').set(bearer(await hub.login('newofficer@minusca.demo'))).expect(200)).body;
    expect(successorNotes).toContainEqual(expect.objectContaining({ kind: 'rotation.handed_over', params: expect.objectContaining({ count: 2 }) }));

    // the successor may in turn hand them to the clinic as a whole (null: no named successor)
    const toClinic = (await hub.http().post('/api/rotations/hand-over').set(bearer(await hub.login('newofficer@minusca.demo'))).send({ successorId: null, note: 'Leaving early: the clinic takes these.' }).expect(200)).body;
    expect(toClinic).toMatchObject({ successorId: null, checks: 1 });
    expect((await hub.http().get(`/api/cases/${b}`).set(officer).expect(200)).body).toMatchObject({ responsibleOfficerId: null, responsibleOfficerName: null });

    // a case opened after the hand-over is left with the outgoing officer
    const left = await open();
    // still in rights the day before the end (and the principal is now cached)
    now += DAY;
    await hub.http().get(`/api/cases/${left}`).set(officer).expect(200);

    // the end date passes: the rights end by themselves, before any sweep or write
    now += 1.5 * DAY;
    await hub.http().get(`/api/cases/${left}`).set(officer).expect(404);
    await hub.http().post('/api/cases').set(officer).send(caseBody(patientId, { submit: true })).expect(403);
    const [{ writes }] = await hub.db.dataSource.query('SELECT count(*)::int AS writes FROM memberships WHERE id = $1 AND end_handled_at IS NOT NULL', [membership.id]);
    expect(writes).toBe(0);

    // the sweep tells the manager (once) what was left, and the dashboard shows it
    const ends = hub.app.get(RotationEndService);
    expect(await ends.sweep()).toEqual([{ membershipId: membership.id, userId: hub.ids.users['officer@minusca.demo'], leftCases: 1, leftChecks: 0 }]);
    expect(await ends.sweep()).toEqual([]);
    const managerNotes = (await hub.http().get('/api/notifications').set(manager).expect(200)).body;
    expect(managerNotes.filter((n: { kind: string }) => n.kind === 'rotation.left_unassigned')).toEqual([
      expect.objectContaining({ caseId: left, params: expect.objectContaining({ count: 1, checks: 0 }) }),
    ]);
    const unassigned = (await hub.http().get(`/api/rotations/unassigned?missionId=${hub.ids.missions.MINUSCA}`).set(manager).expect(200)).body;
    expect(unassigned.map((u: { caseId: string }) => u.caseId)).toEqual([left]);
    await hub.http().get(`/api/rotations/unassigned?missionId=${hub.ids.missions.UNMISS}`).set(manager).expect(404);
    const dashboard = (await hub.http().get(`/api/monitoring/dashboard?missionId=${hub.ids.missions.MINUSCA}`).set(manager).expect(200)).body;
    expect(dashboard.alerts).toContainEqual(expect.objectContaining({ kind: 'unassigned_after_rotation', params: { count: 1 } }));
  });
});
