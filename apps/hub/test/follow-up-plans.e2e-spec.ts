import JSONSchemaValidator from '@asymmetrik/fhir-json-schema-validator';
import { FollowUpService } from '@hub/cases';
import { Clock } from '@hub/common';
import { MonitoringService } from '@hub/monitoring';
import { bearer, createTestHub, TestHub } from '@hub/testing';
import { caseBody, PATIENT } from './fixtures';

const DAY = 24 * 3600 * 1000;

/**
 * Follow-up plans (issue 16 item 2): the specialist sets a plan with the answer; the clinic records a check; the
 * other becomes overdue when the clock moves and shows on the manager's dashboard and in its alerts; the patient's
 * vital signs form a trend across cases; the FHIR export carries CarePlan, MedicationRequest and Observation.
 */
describe('follow-up plans', () => {
  let hub: TestHub;
  let clock: Clock;
  let now: number;
  const validator = new JSONSchemaValidator();
  beforeAll(async () => {
    hub = await createTestHub({}, { hubJobs: false });
    clock = hub.app.get(Clock);
    now = Date.now();
    jest.spyOn(clock, 'now').mockImplementation(() => new Date(now));
  });
  afterAll(() => hub.close());

  const PLAN = {
    instructions: 'Keep the wound dry; return if fever.',
    medications: [{ drug: 'Amoxicillin', dose: '500 mg', route: 'oral', frequency: 'every 8 hours', durationDays: 7 }],
    checks: [
      { day: 3, vitals: ['heartRate', 'temperatureC'] },
      { day: 7, photo: true, question: 'Is the wound closing?' },
    ],
  };

  it('sets, records, flags overdue, charts and exports a plan', async () => {
    const officer = bearer(await hub.login('officer@minusca.demo'));
    const doctor = bearer(await hub.login('doctor@minusca.demo'));
    const manager = bearer(await hub.login('manager@minusca.demo'));
    const otherOfficer = bearer(await hub.login('officer@unmiss.demo'));
    const patientId = (await hub.http().post('/api/patients').set(officer).send({ ...PATIENT, serviceNumber: 'BAN-2026-0777' }).expect(201)).body.id;
    const id = (await hub.http().post('/api/cases').set(officer).send(caseBody(patientId, { submit: true })).expect(201)).body.id;
    await hub.http().post(`/api/cases/${id}/accept`).set(doctor).expect(200);
    const answer = { assessment: 'Infected laceration', recommendation: 'Antibiotics and review', evacuation: { type: 'none' } };

    // bad plans answer 400 naming the field, and store nothing (the case stays accepted)
    const badRoute = await hub.http().post(`/api/cases/${id}/answer`).set(doctor).send({ ...answer, plan: { medications: [{ ...PLAN.medications[0], route: 'by magic' }] } }).expect(400);
    expect(badRoute.body.fields.map((f: { field: string }) => f.field)).toContain('plan.medications.0.route');
    const emptyCheck = await hub.http().post(`/api/cases/${id}/answer`).set(doctor).send({ ...answer, plan: { checks: [{ day: 3 }] } }).expect(400);
    expect(emptyCheck.body.fields.map((f: { field: string }) => f.field)).toEqual(['plan.checks.0']);
    const badDay = await hub.http().post(`/api/cases/${id}/answer`).set(doctor).send({ ...answer, plan: { checks: [{ day: 0, question: 'x' }] } }).expect(400);
    expect(badDay.body.message).toContain('day');
    expect((await hub.http().get(`/api/cases/${id}`).set(doctor).expect(200)).body.status).toBe('accepted');

    const answered = await hub.http().post(`/api/cases/${id}/answer`).set(doctor).set('Idempotency-Key', 'answer-with-plan').send({ ...answer, plan: PLAN }).expect(200);
    expect(answered.body.status).toBe('answered');
    const plan = answered.body.plan;
    expect(plan.medications).toEqual([PLAN.medications[0]]);
    expect(plan.checks.map((k: { day: number; state: string }) => [k.day, k.state])).toEqual([[3, 'upcoming'], [7, 'upcoming']]);
    // a retry of the answer replays it: still one plan with two checks
    const replay = await hub.http().post(`/api/cases/${id}/answer`).set(doctor).set('Idempotency-Key', 'answer-with-plan').send({ ...answer, plan: PLAN }).expect(200);
    expect(replay.headers['idempotent-replayed']).toBe('true');
    const [{ n: checks }] = await hub.db.dataSource.query('SELECT count(*)::int AS n FROM follow_up_checks WHERE case_id = $1', [id]);
    expect(checks).toBe(2);
    const [day3, day7] = plan.checks as { id: string }[];

    // day 3: the first check is due on the officer's home list
    now += 3 * DAY + 60_000;
    const due = (await hub.http().get('/api/follow-ups/due').set(officer).expect(200)).body;
    expect(due.map((k: { id: string; state: string }) => [k.id, k.state])).toEqual([[day3.id, 'due']]);
    expect(due[0].reference).toMatch(/^C-/);
    // another mission's officer sees none of it, and cannot record it (404, audited)
    expect((await hub.http().get('/api/follow-ups/due').set(otherOfficer).expect(200)).body).toEqual([]);
    await hub.http().post(`/api/cases/${id}/checks/${day3.id}`).set(otherOfficer).send({ vitals: { heartRate: 80, temperatureC: 37 } }).expect(404);
    const [{ n: denied }] = await hub.db.dataSource.query(
      `SELECT count(*)::int AS n FROM audit_entries WHERE actor_id = $1 AND outcome = 'denied' AND subject_id = $2`,
      [hub.ids.users['officer@unmiss.demo'], id],
    );
    expect(denied).toBe(1);
    // a missing vital sign is named
    const missing = await hub.http().post(`/api/cases/${id}/checks/${day3.id}`).set(officer).send({ vitals: { heartRate: 96 } }).expect(400);
    expect(missing.body.fields.map((f: { field: string }) => f.field)).toEqual(['vitals.temperatureC']);
    const implausible = await hub.http().post(`/api/cases/${id}/checks/${day3.id}`).set(officer).send({ vitals: { heartRate: 960, temperatureC: 37 } }).expect(400);
    expect(implausible.body.message).toContain('heartRate');
    const recorded = await hub.http().post(`/api/cases/${id}/checks/${day3.id}`).set(officer).set('Idempotency-Key', 'check-day-3').send({ vitals: { heartRate: 96, temperatureC: 38.4 }, note: 'Slight fever' }).expect(200);
    expect(recorded.body.checks[0]).toMatchObject({ id: day3.id, state: 'recorded', recordedVitals: { heartRate: 96, temperatureC: 38.4 }, recordedByName: expect.any(String) });
    await hub.http().post(`/api/cases/${id}/checks/${day3.id}`).set(officer).set('Idempotency-Key', 'check-day-3').send({ vitals: { heartRate: 96, temperatureC: 38.4 }, note: 'Slight fever' }).expect(200);
    await hub.http().post(`/api/cases/${id}/checks/${day3.id}`).set(officer).send({ vitals: { heartRate: 90, temperatureC: 37 } }).expect(409);
    expect((await hub.http().get('/api/follow-ups/due').set(officer).expect(200)).body).toEqual([]);

    // day 9: the day 7 check was never recorded: overdue for the clinic, on the dashboard, in the alerts
    now += 6 * DAY;
    const overdue = (await hub.http().get('/api/follow-ups/due').set(officer).expect(200)).body;
    expect(overdue.map((k: { id: string; state: string }) => [k.id, k.state])).toEqual([[day7.id, 'overdue']]);
    const dashboard = (await hub.http().get(`/api/monitoring/dashboard?missionId=${hub.ids.missions.MINUSCA}`).set(manager).expect(200)).body;
    expect(dashboard.followUps).toEqual({ due: 0, overdue: 1 });
    expect(dashboard.alerts).toContainEqual(expect.objectContaining({ kind: 'follow_up_overdue', code: 'caseload.follow_up_overdue', params: { count: 1 } }));
    const other = (await hub.http().get(`/api/monitoring/dashboard?missionId=${hub.ids.missions.UNMISS}`).set(bearer(await hub.login('manager@unmiss.demo'))).expect(200)).body;
    expect(other.followUps).toEqual({ due: 0, overdue: 0 });
    // the clinic is told once, however often the sweep runs
    const sweep = hub.app.get(FollowUpService);
    expect(await sweep.sweep()).toEqual([day7.id]);
    expect(await sweep.sweep()).toEqual([]);
    const notes = (await hub.http().get('/api/notifications').set(officer).expect(200)).body;
    expect(notes.filter((n: { kind: string }) => n.kind === 'case.follow_up_overdue')).toEqual([expect.objectContaining({ caseId: id, params: expect.objectContaining({ day: 7 }) })]);
    // the managers hear of it through the caseload alerts
    expect(await hub.app.get(MonitoringService).pushAlerts()).toBeGreaterThan(0);
    const managerNotes = (await hub.http().get('/api/notifications').set(manager).expect(200)).body;
    expect(managerNotes.map((n: { code: string }) => n.code)).toContain('caseload.follow_up_overdue');

    // trends: the case's vitals at submission and the recorded check, in time order
    const trends = (await hub.http().get(`/api/patients/${patientId}/vital-trends`).set(officer).expect(200)).body;
    expect(trends.map((p: { source: string; vitals: { heartRate?: number } }) => [p.source, p.vitals.heartRate])).toEqual([['case', 88], ['check', 96]]);
    await hub.http().get(`/api/patients/${patientId}/vital-trends`).set(otherOfficer).expect(404);

    // FHIR: CarePlan, MedicationRequest and Observations, valid R4
    const bundle = (await hub.http().get(`/api/cases/${id}/fhir`).set(doctor).expect(200)).body;
    const byType = (t: string) => bundle.entry.map((e: { resource: { resourceType: string } }) => e.resource).filter((r: { resourceType: string }) => r.resourceType === t);
    const [carePlan] = byType('CarePlan');
    expect(carePlan).toMatchObject({ status: 'active', intent: 'plan', subject: { reference: `Patient/${patientId}` } });
    expect(carePlan.activity).toHaveLength(3);
    expect(byType('MedicationRequest')).toEqual([expect.objectContaining({ medicationCodeableConcept: { text: 'Amoxicillin' }, basedOn: [{ reference: `CarePlan/${plan.id}` }] })]);
    expect(byType('Observation').map((o: { code: { coding: { code: string }[] } }) => o.code.coding[0].code).sort()).toEqual(['8310-5', '8867-4']);
    expect(validator.validate(bundle)).toEqual([]);
    for (const e of bundle.entry) expect(validator.validate(e.resource)).toEqual([]);
    // the check can fail: a CarePlan whose activity is malformed is refused by the schema
    expect(validator.validate({ ...carePlan, activity: [{ detail: { status: 42 } }] }).length).toBeGreaterThan(0);
  });
});
