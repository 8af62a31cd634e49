import { bearer, createTestHub, TestHub } from '@hub/testing';
import { IdempotencySweep } from '@hub/idempotency';
import { caseBody, PATIENT } from './fixtures';

/** Idempotency-Key on writes (issue 11 point 2, issue 13 point 5): one record per key, replays, misuse. */
describe('Idempotency-Key', () => {
  let hub: TestHub;
  let officer: { Authorization: string };
  let doctor: { Authorization: string };
  let patientId: string;
  const count = async (sql: string, params: unknown[] = []) => Number((await hub.db.dataSource.query(sql, params))[0].n);

  beforeAll(async () => {
    hub = await createTestHub({ LOG_LEVEL: 'error' });
    officer = bearer(await hub.login('officer@minusca.demo'));
    doctor = bearer(await hub.login('doctor@minusca.demo'));
    const res = await hub.http().post('/api/patients').set(officer).set('Idempotency-Key', 'patient-1').send(PATIENT).expect(201);
    patientId = res.body.id;
  });
  afterAll(() => hub.close());

  it('replays the first answer to a retry and makes one record', async () => {
    const again = await hub.http().post('/api/patients').set(officer).set('Idempotency-Key', 'patient-1').send(PATIENT).expect(201);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.body.id).toBe(patientId);
    expect(await count('SELECT count(*) AS n FROM patients WHERE service_number = $1', [PATIENT.serviceNumber])).toBe(1);

    const key = 'case-0190f1c2-7d3a-7b8e-9f00-1234567890ab';
    const body = caseBody(patientId, { submit: true });
    const first = await hub.http().post('/api/cases').set(officer).set('Idempotency-Key', key).send(body).expect(201);
    expect(first.headers['idempotent-replayed']).toBeUndefined();
    // key order of the body does not matter; the answer is the first one, byte for byte
    const reordered = Object.fromEntries(Object.entries(body).reverse());
    const second = await hub.http().post('/api/cases').set(officer).set('Idempotency-Key', key).send(reordered).expect(201);
    expect(second.headers['idempotent-replayed']).toBe('true');
    expect(second.body).toEqual(first.body);
    expect(await count('SELECT count(*) AS n FROM referral_cases WHERE patient_id = $1', [patientId])).toBe(1);
    // the audit trail holds the creation once
    expect(await count(`SELECT count(*) AS n FROM audit_entries WHERE subject_id = $1 AND outcome = 'success' AND action LIKE 'case.create%'`, [first.body.id])).toBe(1);

    // messages, answers and outcomes are protected the same way
    await hub.http().post(`/api/cases/${first.body.id}/accept`).set(doctor).set('Idempotency-Key', 'accept-1').expect(200);
    const msg = { body: 'Any fever in the last 24 h?' };
    const m1 = await hub.http().post(`/api/cases/${first.body.id}/messages`).set(doctor).set('Idempotency-Key', 'msg-1').send(msg).expect(201);
    const m2 = await hub.http().post(`/api/cases/${first.body.id}/messages`).set(doctor).set('Idempotency-Key', 'msg-1').send(msg).expect(201);
    expect(m2.body).toEqual(m1.body);
    expect(await count('SELECT count(*) AS n FROM case_messages WHERE case_id = $1 AND body = $2', [first.body.id, msg.body])).toBe(1);
    const answer = { assessment: 'Drug eruption.', recommendation: 'Stop doxycycline.', evacuation: { type: 'none' } };
    await hub.http().post(`/api/cases/${first.body.id}/answer`).set(doctor).set('Idempotency-Key', 'answer-1').send(answer).expect(200);
    const replayed = await hub.http().post(`/api/cases/${first.body.id}/answer`).set(doctor).set('Idempotency-Key', 'answer-1').send(answer).expect(200);
    expect(replayed.headers['idempotent-replayed']).toBe('true');
  });

  it('refuses the same key for a different request with 422 IDEMPOTENCY_KEY_REUSED, storing nothing', async () => {
    const before = await count('SELECT count(*) AS n FROM patients');
    const res = await hub.http().post('/api/patients').set(officer).set('Idempotency-Key', 'patient-1').send({ ...PATIENT, serviceNumber: 'BAN-2026-0999' }).expect(422);
    expect(res.body).toMatchObject({ statusCode: 422, code: 'IDEMPOTENCY_KEY_REUSED' });
    expect(res.body.message).toContain('Idempotency-Key');
    // same body on another path is another request too
    await hub.http().post(`/api/patients/${patientId}/transfer`).set(officer).set('Idempotency-Key', 'patient-1').send(PATIENT).expect(422);
    expect(await count('SELECT count(*) AS n FROM patients')).toBe(before);
  });

  it('keeps keys per user: another user with the same key makes their own record', async () => {
    const other = bearer(await hub.login('officer@unmiss.demo'));
    const res = await hub.http().post('/api/patients').set(other).set('Idempotency-Key', 'patient-1').send({ ...PATIENT, serviceNumber: 'RW-1' }).expect(201);
    expect(res.headers['idempotent-replayed']).toBeUndefined();
    expect(res.body.id).not.toBe(patientId);
  });

  it('answers 400 naming Idempotency-Key for a malformed key', async () => {
    for (const bad of ['', 'has space', 'x'.repeat(201), 'clé']) {
      const res = await hub.http().post('/api/patients').set(officer).set('Idempotency-Key', bad).send({ ...PATIENT, serviceNumber: 'BAD-1' });
      expect(res.status).toBe(400);
      expect(res.body.message).toContain('Idempotency-Key');
    }
    expect(await count(`SELECT count(*) AS n FROM patients WHERE service_number = 'BAD-1'`)).toBe(0);
  });

  it('stores nothing for a failed request, so that a corrected retry runs', async () => {
    const key = 'invalid-then-fixed';
    await hub.http().post('/api/patients').set(officer).set('Idempotency-Key', key).send({ ...PATIENT, serviceNumber: 'BAN-FIX', sex: 'x' }).expect(400);
    await hub.http().post('/api/patients').set(officer).set('Idempotency-Key', key).send({ ...PATIENT, serviceNumber: 'BAN-FIX', sex: 'x' }).expect(400);
    expect(await count('SELECT count(*) AS n FROM idempotency_keys WHERE key = $1', [key])).toBe(0);
    // a refusal inside the handler (another mission's record: 404) is still audited
    const unmiss = bearer(await hub.login('officer@unmiss.demo'));
    const deniedBefore = await count(`SELECT count(*) AS n FROM audit_entries WHERE outcome = 'denied'`);
    await hub.http().post(`/api/patients/${patientId}/transfer`).set(unmiss).set('Idempotency-Key', 'denied-1').send({ toFacilityId: hub.ids.facilities['Juba Level 1 Clinic (RWANBAT)'] }).expect(404);
    expect(await count(`SELECT count(*) AS n FROM audit_entries WHERE outcome = 'denied'`)).toBeGreaterThan(deniedBefore);
  });

  it('answers 409 IDEMPOTENCY_KEY_IN_FLIGHT with Retry-After while the first request runs', async () => {
    // Hold the key's lock as a first request in flight would.
    const runner = hub.db.dataSource.createQueryRunner();
    await runner.connect();
    await runner.startTransaction();
    const userId = hub.ids.users['officer@minusca.demo'];
    await runner.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [`idempotency:${userId}:busy-1`]);
    try {
      const res = await hub.http().post('/api/patients').set(officer).set('Idempotency-Key', 'busy-1').send({ ...PATIENT, serviceNumber: 'BUSY-1' }).expect(409);
      expect(res.body.code).toBe('IDEMPOTENCY_KEY_IN_FLIGHT');
      expect(res.headers['retry-after']).toBe('1');
    } finally {
      await runner.rollbackTransaction();
      await runner.release();
    }
    await hub.http().post('/api/patients').set(officer).set('Idempotency-Key', 'busy-1').send({ ...PATIENT, serviceNumber: 'BUSY-1' }).expect(201);
  });

  it('two identical requests at once make one record', async () => {
    const send = () => hub.http().post('/api/patients').set(officer).set('Idempotency-Key', 'race-1').send({ ...PATIENT, serviceNumber: 'RACE-1' });
    const answers = await Promise.all([send(), send(), send()]);
    for (const a of answers) expect([201, 409]).toContain(a.status);
    expect(answers.some((a) => a.status === 201)).toBe(true);
    expect(await count(`SELECT count(*) AS n FROM patients WHERE service_number = 'RACE-1'`)).toBe(1);
  });

  it('without the header behaves as before; keys are swept after the retention period', async () => {
    await hub.http().post('/api/patients').set(officer).send({ ...PATIENT, serviceNumber: 'NOKEY-1' }).expect(201);
    await hub.http().post('/api/patients').set(officer).send({ ...PATIENT, serviceNumber: 'NOKEY-1' }).expect(409);
    const sweep = hub.app.get(IdempotencySweep);
    const kept = await count('SELECT count(*) AS n FROM idempotency_keys');
    expect(await sweep.sweep(new Date(Date.now() + 24 * 3600_000))).toBe(0); // at least 24 h
    expect(await sweep.sweep(new Date(Date.now() + 49 * 3600_000))).toBe(kept);
    expect(await count('SELECT count(*) AS n FROM idempotency_keys')).toBe(0);
  });
});
