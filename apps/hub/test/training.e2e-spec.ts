import { Clock } from '@hub/common';
import { bearer, createTestHub, TestHub } from '@hub/testing';
import { ExpiryWarningsService } from '@hub/training';
import { caseBody, PATIENT } from './fixtures';

type Auth = { Authorization: string };
const DAY = 86_400_000;

describe('training and certification', () => {
  let hub: TestHub;
  let learner: Auth;
  let trainer: Auth;
  let manager: Auth;
  let admin: Auth;
  let learnerId: string;
  let courseId: string;
  let patientId: string;
  let clock: Clock;

  const http = () => hub.http();
  const q = (sql: string, params: unknown[] = []) => hub.db.dataSource.query(sql, params);
  const at = (date: Date) => jest.spyOn(clock, 'now').mockReturnValue(date);

  beforeAll(async () => {
    hub = await createTestHub({ LOG_LEVEL: 'error' }, { hubJobs: false });
    clock = hub.app.get(Clock);
    learner = bearer(await hub.login('newofficer@minusca.demo'));
    trainer = bearer(await hub.login('trainer@minusca.demo'));
    manager = bearer(await hub.login('manager@minusca.demo'));
    admin = bearer(await hub.login('admin@minusca.demo'));
    learnerId = hub.ids.users['newofficer@minusca.demo'];
    [{ id: courseId }] = await q(`SELECT id FROM training_courses WHERE mission_id = $1 AND language = 'en' AND certification_kind = 'telemedicine_user'`, [hub.ids.missions.MINUSCA]);
    // registering a patient needs no certification; opening a case does
    patientId = (await http().post('/api/patients').set(learner).send({ ...PATIENT, serviceNumber: 'BAN-2026-0777' }).expect(201)).body.id;
  });
  afterEach(() => jest.restoreAllMocks());
  afterAll(() => hub.close());

  /** Reads every lesson, fails the quiz once, passes it; returns the ids of the checklist items. */
  async function learnerPart(failFirst: boolean): Promise<string[]> {
    const course = (await http().get(`/api/training/courses/${courseId}`).set(learner).expect(200)).body;
    for (const lesson of course.lessons) await http().post(`/api/training/courses/${courseId}/lessons/${lesson.id}/complete`).set(learner).expect(200);
    const key = (await http().get(`/api/training/courses/${courseId}/quiz`).set(trainer).expect(200)).body.questions as { id: string; options: { id: string; correct: boolean }[] }[];
    const right = key.map((qn) => ({ questionId: qn.id, optionIds: qn.options.filter((o) => o.correct).map((o) => o.id) }));
    if (failFirst) {
      const attempt = (await http().post(`/api/training/courses/${courseId}/attempts`).set(learner).expect(201)).body;
      const wrong = key.map((qn) => ({ questionId: qn.id, optionIds: [qn.options.find((o) => !o.correct)!.id] }));
      const failed = (await http().post(`/api/training/attempts/${attempt.id}/submit`).set(learner).send({ answers: wrong }).expect(200)).body;
      expect(failed).toMatchObject({ passed: false, score: 0 });
      // a failed attempt with attempts left says what was wrong, without handing over the key for the next one
      expect(failed.keyShown).toBe(false);
      expect(failed.questions[0].correct).toBe(false);
      expect(JSON.stringify(failed.questions)).not.toMatch(/"correctOptionIds":\[[^\]]|"explanation":"[^"]/);
      const again = (await http().get(`/api/training/attempts/${attempt.id}`).set(learner).expect(200)).body;
      expect(again.keyShown).toBe(false);
    }
    const attempt = (await http().post(`/api/training/courses/${courseId}/attempts`).set(learner).expect(201)).body;
    const passed = (await http().post(`/api/training/attempts/${attempt.id}/submit`).set(learner).send({ answers: right }).expect(200)).body;
    expect(passed).toMatchObject({ passed: true, score: 100, keyShown: true });
    expect(passed.questions[0].correctOptionIds.length).toBeGreaterThan(0);
    if (failFirst) {
      // once passed, the earlier failed attempt shows its key and explanations too
      const attempts = (await http().get(`/api/training/courses/${courseId}/attempts`).set(learner).expect(200)).body;
      expect(attempts.length).toBeGreaterThanOrEqual(2);
      expect(attempts.every((a: { keyShown: boolean }) => a.keyShown)).toBe(true);
    }
    return course.checklist.map((i: { id: string }) => i.id);
  }

  const signOffAll = async (items: string[], performedOn: string) => {
    for (const itemId of items) {
      await http().post(`/api/training/courses/${courseId}/sign-offs`).set(trainer).send({ userId: learnerId, itemId, performedOn, note: 'Observed' }).expect(201);
    }
  };

  it('refuses a case to an uncertified officer, naming the certification and the course to take', async () => {
    const res = await http().post('/api/cases').set(learner).send(caseBody(patientId)).expect(403);
    expect(res.body).toMatchObject({ code: 'CERTIFICATION_REQUIRED', certification: { kind: 'telemedicine_user', label: 'Telemedicine user' } });
    expect(res.body.certification.courses.map((c: { id: string }) => c.id)).toContain(courseId);
    expect(res.body.message).toMatch(/Telemedicine user/);
    const me = (await http().get('/api/training/me').set(learner).expect(200)).body;
    expect(me.required).toEqual([expect.objectContaining({ kind: 'telemedicine_user', state: 'missing', valid: false })]);
    expect(me.cohorts.length).toBe(1);
  });

  it('never sends the answer key before the attempt is submitted', async () => {
    const start = await http().post(`/api/training/courses/${courseId}/attempts`).set(learner).expect(201);
    const text = JSON.stringify(start.body);
    expect(text).not.toMatch(/"correct"|correctOptionIds|explanation/);
    expect(start.body.questions.length).toBe(5);
    for (const qn of start.body.questions) expect(Object.keys(qn).sort()).toEqual(['id', 'options', 'text', 'type']);
    for (const o of start.body.questions[0].options) expect(Object.keys(o).sort()).toEqual(['id', 'text']);
    // reading the open attempt back, the course and the attempt list do not reveal it either
    for (const path of [`/api/training/attempts/${start.body.id}`, `/api/training/courses/${courseId}`, `/api/training/courses/${courseId}/attempts`]) {
      expect(JSON.stringify((await http().get(path).set(learner).expect(200)).body)).not.toMatch(/"correct"|correctOptionIds|explanation/);
    }
    // the learner may not read the editor's view with the key
    await http().get(`/api/training/courses/${courseId}/quiz`).set(learner).expect(403);
    // another learner cannot see this attempt
    await http().get(`/api/training/attempts/${start.body.id}`).set(bearer(await hub.login('officer@minusca.demo'))).expect(404);
    // shuffled per attempt: over a few fresh attempts by other learners the question order varies
    const orders = new Set<string>();
    for (let i = 0; i < 6; i++) {
      const [u] = await q(`INSERT INTO users (email, display_name, password_hash) SELECT $1, 'Shuffle', password_hash FROM users WHERE email = 'newofficer@minusca.demo' RETURNING id`, [`shuffle${i}@minusca.demo`]);
      await q(`INSERT INTO memberships (user_id, role, mission_id) VALUES ($1, 'trainer', $2)`, [u.id, hub.ids.missions.MINUSCA]);
      const s = await http().post(`/api/training/courses/${courseId}/attempts`).set(bearer(await hub.login(`shuffle${i}@minusca.demo`))).expect(201);
      orders.add(s.body.questions.map((x: { id: string }) => x.id).join());
    }
    expect(orders.size).toBeGreaterThan(1);
  });

  it('takes the officer through lessons, a failed then a passed quiz, sign-off, certificate, verification, and a case', async () => {
    const items = await learnerPart(true);
    let progress = (await http().get(`/api/training/courses/${courseId}/progress`).set(learner).expect(200)).body;
    expect(progress).toMatchObject({ quizPassed: true, lessonsDone: progress.lessonsTotal, signOffsDone: 0, signOffsTotal: 3, complete: false, certificate: null });
    expect(progress.attempts.map((a: { passed: boolean }) => a.passed)).toEqual([true, false]);
    await signOffAll(items, new Date().toISOString().slice(0, 10));
    progress = (await http().get(`/api/training/courses/${courseId}/progress`).set(learner).expect(200)).body;
    expect(progress.certificate).toMatchObject({ kind: 'telemedicine_user', status: 'valid', courseVersion: 1 });
    const cert = progress.certificate;
    expect(new Date(cert.expiresAt).getTime() - new Date(cert.issuedAt).getTime()).toBe(730 * DAY);

    // public verification: no token, and nothing beyond name, course and dates
    const verified = (await http().get(`/api/certificates/verify/${cert.code}`).expect(200)).body;
    expect(verified).toEqual({
      code: cert.code,
      status: 'valid',
      holderName: 'Dr. New Officer (MINUSCA)',
      courseTitle: 'Telemedicine user',
      certification: 'Telemedicine user',
      issuedAt: cert.issuedAt,
      expiresAt: cert.expiresAt,
      revokedAt: null,
    });
    await http().get('/api/certificates/verify/AAAA-BBBB-CCCC').expect(404);
    await http().get('/api/certificates/verify/not-a-code').expect(400);
    const pdf = await http().get(`/api/training/certificates/${cert.id}/pdf`).set(learner).buffer(true).parse((res, cb) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => cb(null, Buffer.concat(chunks)));
    }).expect(200);
    expect(pdf.headers['content-type']).toBe('application/pdf');
    expect((pdf.body as Buffer).subarray(0, 5).toString()).toBe('%PDF-');

    const notes = (await http().get('/api/notifications').set(learner).expect(200)).body;
    expect(notes).toContainEqual(expect.objectContaining({ kind: 'training.certificate_issued', caseId: null }));
    // the right applies on the next request
    await http().post('/api/cases').set(learner).send(caseBody(patientId)).expect(201);
    const audit = await q(`SELECT action FROM audit_entries WHERE action LIKE 'training.%' AND (details->>'learnerId' = $1 OR details->>'userId' = $1 OR actor_id::text = $1)`, [learnerId]);
    const actions = audit.map((a: { action: string }) => a.action);
    expect(actions).toEqual(expect.arrayContaining(['training.attempt_graded', 'training.sign_off', 'training.certificate_issued']));
    // the health manager sees the officer certified
    const compliance = (await http().get(`/api/training/compliance?missionId=${hub.ids.missions.MINUSCA}`).set(manager).expect(200)).body;
    expect(compliance.rows).toContainEqual(expect.objectContaining({ userId: learnerId, kind: 'telemedicine_user', state: 'certified' }));
  });

  it('warns the holder and the health manager once, 30 days before expiry', async () => {
    const [cert] = await q(`SELECT id, expires_at FROM training_certificates WHERE user_id = $1 ORDER BY issued_at DESC LIMIT 1`, [learnerId]);
    const sweeper = hub.app.get(ExpiryWarningsService);
    // a deactivated health manager of the mission is not told
    const [gone] = await q(`INSERT INTO users (email, display_name, password_hash, active) VALUES ('former.manager@minusca.demo', 'Former manager', 'x', false) RETURNING id`);
    await q(`INSERT INTO memberships (user_id, role, mission_id) VALUES ($1, 'health_manager', $2)`, [gone.id, hub.ids.missions.MINUSCA]);
    at(new Date(new Date(cert.expires_at).getTime() - 40 * DAY));
    expect(await sweeper.sweep()).not.toContain(cert.id);
    at(new Date(new Date(cert.expires_at).getTime() - 20 * DAY));
    expect(await sweeper.sweep()).toContain(cert.id);
    expect(await sweeper.sweep()).not.toContain(cert.id);
    const notes = await q(`SELECT user_id FROM notifications WHERE kind = 'training.certificate_expiring' AND text LIKE '%Telemedicine user%'`);
    const recipients = notes.map((n: { user_id: string }) => n.user_id);
    expect(recipients).toEqual(expect.arrayContaining([learnerId, hub.ids.users['manager@minusca.demo']]));
    expect(recipients.filter((id: string) => id === learnerId)).toHaveLength(1);
    expect(recipients).not.toContain(gone.id);
    const expiring = (await http().get(`/api/training/compliance?missionId=${hub.ids.missions.MINUSCA}`).set(manager).expect(200)).body;
    expect(expiring.rows).toContainEqual(expect.objectContaining({ userId: learnerId, state: 'expiring' }));
  });

  it('removes the right once the clock passes expiry, and recertification restores it', async () => {
    const [cert] = await q(`SELECT id, code, expires_at FROM training_certificates WHERE user_id = $1 ORDER BY issued_at DESC LIMIT 1`, [learnerId]);
    const later = new Date(new Date(cert.expires_at).getTime() + DAY);
    at(later);
    const refused = await http().post('/api/cases').set(learner).send(caseBody(patientId)).expect(403);
    expect(refused.body.code).toBe('CERTIFICATION_REQUIRED');
    expect((await http().get(`/api/certificates/verify/${cert.code}`).expect(200)).body.status).toBe('expired');
    // the trainer's own certificate expired too: signing off is refused, naming the trainer certification
    const items = await learnerPart(false);
    const blocked = await http().post(`/api/training/courses/${courseId}/sign-offs`).set(trainer).send({ userId: learnerId, itemId: items[0], performedOn: later.toISOString().slice(0, 10) }).expect(403);
    expect(blocked.body).toMatchObject({ code: 'CERTIFICATION_REQUIRED', certification: { kind: 'trainer' } });
    // the mission administrator grants the trainer a time-limited waiver, with a reason (audited)
    const waiver = await http()
      .post('/api/training/waivers')
      .set(admin)
      .send({ userId: hub.ids.users['trainer@minusca.demo'], missionId: hub.ids.missions.MINUSCA, kind: 'trainer', expiresAt: new Date(later.getTime() + 30 * DAY).toISOString(), reason: 'Trainer course re-run next month' })
      .expect(201);
    expect(waiver.body).toMatchObject({ active: true, kind: 'trainer' });
    await signOffAll(items, later.toISOString().slice(0, 10));
    const certs = await q(`SELECT code, issued_at, expires_at FROM training_certificates WHERE user_id = $1 ORDER BY issued_at`, [learnerId]);
    expect(certs).toHaveLength(2);
    expect(certs[1].code).not.toBe(certs[0].code);
    expect(new Date(certs[1].expires_at).getTime()).toBe(later.getTime() + 730 * DAY);
    await http().post('/api/cases').set(learner).send(caseBody(patientId)).expect(201);
    const me = (await http().get('/api/training/me').set(learner).expect(200)).body;
    expect(me.required[0]).toMatchObject({ state: 'certified', valid: true });
    expect(me.courses.find((c: { id: string }) => c.id === courseId).myProgress.completedVersions).toHaveLength(2);
    expect((await q(`SELECT count(*)::int AS n FROM audit_entries WHERE action = 'training.waiver_granted'`))[0].n).toBe(1);
  });

  it('lets a trainer revoke a certificate with a reason; verification then says revoked', async () => {
    const [cert] = await q(`SELECT id, code FROM training_certificates WHERE user_id = $1 ORDER BY issued_at DESC LIMIT 1`, [learnerId]);
    at(new Date(Date.now() + 800 * DAY));
    const bad = await http().post(`/api/training/certificates/${cert.id}/revoke`).set(trainer).send({ reason: '' }).expect(400);
    expect(bad.body.fields).toEqual([expect.objectContaining({ field: 'reason' })]);
    // the trainer's waiver has ended by now, but revocation needs no trainer certificate
    await http().post(`/api/training/certificates/${cert.id}/revoke`).set(trainer).send({ reason: 'Photos repeatedly unusable' }).expect(200);
    const v = (await http().get(`/api/certificates/verify/${cert.code}`).expect(200)).body;
    expect(v).toMatchObject({ status: 'revoked', revokedAt: expect.any(String) });
    await http().post('/api/cases').set(learner).send(caseBody(patientId)).expect(403);
    await http().post(`/api/training/certificates/${cert.id}/revoke`).set(trainer).send({ reason: 'again' }).expect(409);
    expect((await q(`SELECT count(*)::int AS n FROM audit_entries WHERE action = 'training.certificate_revoked' AND subject_id = $1`, [cert.id]))[0].n).toBe(1);
    // a holder reaching missions beyond the trainer's (the Level 4 specialist serves UNMISS too): not theirs to revoke
    const [l4] = await q(`SELECT id FROM training_certificates WHERE user_id = $1`, [hub.ids.users['specialist@l4.demo']]);
    await http().post(`/api/training/certificates/${l4.id}/revoke`).set(trainer).send({ reason: 'Not mine' }).expect(404);
    await http().get(`/api/training/certificates/${l4.id}`).set(trainer).expect(200);
  });

  it('keeps a reference doctor without the consultant certification from accepting, saying why', async () => {
    const [u] = await q(`INSERT INTO users (email, display_name, password_hash, specialties) SELECT 'uncertified@minusca.demo', 'Dr. Uncertified', password_hash, '{dermatology}' FROM users WHERE email = 'doctor@minusca.demo' RETURNING id`);
    await q(`INSERT INTO memberships (user_id, role, mission_id, facility_id) VALUES ($1, 'reference_doctor', $2, $3)`, [u.id, hub.ids.missions.MINUSCA, hub.ids.facilities['Bangui Level 2 Hospital']]);
    const officer = bearer(await hub.login('officer@minusca.demo'));
    const p = (await http().post('/api/patients').set(officer).send({ ...PATIENT, serviceNumber: 'BAN-2026-0888' }).expect(201)).body.id;
    const c = (await http().post('/api/cases').set(officer).send(caseBody(p, { submit: true })).expect(201)).body.id;
    const doc = bearer(await hub.login('uncertified@minusca.demo'));
    const res = await http().post(`/api/cases/${c}/accept`).set(doc).expect(403);
    expect(res.body).toMatchObject({ code: 'CERTIFICATION_REQUIRED', certification: { kind: 'telemedicine_consultant' } });
    // still reads the queue (reading is not gated)
    await http().get(`/api/cases/${c}`).set(doc).expect(200);
  });

  it('names a missing certification only when it is what stands in the way', async () => {
    const [item] = await q(`SELECT id FROM training_checklist_items WHERE course_id = $1 LIMIT 1`, [courseId]);
    const body = { userId: learnerId, itemId: item.id, performedOn: new Date().toISOString().slice(0, 10) };
    // an officer is no trainer: a certificate would not help
    const officer = await http().post(`/api/training/courses/${courseId}/sign-offs`).set(bearer(await hub.login('officer@minusca.demo'))).send(body).expect(403);
    expect(officer.body.code).toBe('FORBIDDEN');
    // the system administrator may do anything but holds no trainer certificate
    const sys = await http().post(`/api/training/courses/${courseId}/sign-offs`).set(bearer(await hub.login('sysadmin@hub.demo'))).send(body).expect(403);
    expect(sys.body).toMatchObject({ code: 'CERTIFICATION_REQUIRED', certification: { kind: 'trainer', courses: [expect.objectContaining({ title: 'Trainer' })] } });
    // a health manager may not open cases, certified or not
    const mgr = await http().post('/api/cases').set(manager).send(caseBody(patientId)).expect(403);
    expect(mgr.body.code).toBe('FORBIDDEN');
  });

  it('keeps certified staff certified when the clock is moved back before their certificate was issued', async () => {
    at(new Date(Date.now() - 365 * DAY));
    const me = (await http().get('/api/training/me').set(bearer(await hub.login('officer@minusca.demo'))).expect(200)).body;
    expect(me.validKinds).toEqual(['telemedicine_user']);
    expect(me.required[0]).toMatchObject({ state: 'certified', valid: true });
  });

  it('publishes a new version without erasing who completed the old one', async () => {
    const officer = bearer(await hub.login('officer@minusca.demo'));
    const before = (await http().get(`/api/training/courses/${courseId}`).set(officer).expect(200)).body;
    expect(before.version).toBe(1);
    await http().post(`/api/training/courses/${courseId}/lessons`).set(trainer).send({ title: 'What changed in 2027', body: 'New **SLA** delays.' }).expect(201);
    const published = (await http().post(`/api/training/courses/${courseId}/publish`).set(trainer).expect(200)).body;
    expect(published.version).toBe(2);
    const after = (await http().get(`/api/training/courses/${courseId}`).set(officer).expect(200)).body;
    expect(after.myProgress.completedVersions).toEqual([expect.objectContaining({ version: 1 })]);
    const me = (await http().get('/api/training/me').set(officer).expect(200)).body;
    expect(me.required[0]).toMatchObject({ kind: 'telemedicine_user', state: 'certified' });
    expect(me.certificates[0]).toMatchObject({ courseVersion: 1, status: 'valid' });
    // a learner cannot publish, nor edit
    await http().post(`/api/training/courses/${courseId}/publish`).set(officer).expect(403);
  });

  it('refuses an attempt left open across a new publication, and starts a fresh one on the new version', async () => {
    const course = { missionId: hub.ids.missions.MINUSCA, title: 'Triage radio codes', description: '', language: 'en', targetRoles: ['field_medical_officer'], estimatedMinutes: 5 };
    const id = (await http().post('/api/training/courses').set(trainer).send(course).expect(201)).body.id;
    await http().post(`/api/training/courses/${id}/lessons`).set(trainer).send({ title: 'Codes', body: 'Red, yellow, green.' }).expect(201);
    const quiz = { passMark: 50, questions: [{ type: 'true_false', text: 'Red is urgent', explanation: 'E', options: [{ text: 'True', correct: true }, { text: 'False', correct: false }] }] };
    await http().put(`/api/training/courses/${id}/quiz`).set(trainer).send(quiz).expect(200);
    await http().post(`/api/training/courses/${id}/publish`).set(trainer).expect(200);
    const old = (await http().post(`/api/training/courses/${id}/attempts`).set(learner).expect(201)).body;
    expect(old.courseVersion).toBe(1);
    await http().post(`/api/training/courses/${id}/publish`).set(trainer).expect(200);
    const answers = old.questions.map((qn: { id: string; options: { id: string; text: string }[] }) => ({ questionId: qn.id, optionIds: [qn.options.find((o) => o.text === 'True')!.id] }));
    const refused = await http().post(`/api/training/attempts/${old.id}/submit`).set(learner).send({ answers }).expect(409);
    expect(refused.body.message).toMatch(/version 1 .* version 2/);
    expect(refused.body.params).toEqual({ reason: 'course_version_changed', attemptVersion: 1, version: 2 });
    expect((await q(`SELECT submitted_at, passed FROM training_attempts WHERE id = $1`, [old.id]))[0]).toEqual({ submitted_at: null, passed: null });
    const fresh = (await http().post(`/api/training/courses/${id}/attempts`).set(learner).expect(201)).body;
    expect(fresh).toMatchObject({ courseVersion: 2 });
    expect(fresh.id).not.toBe(old.id);
  });

  describe('bad input answers 4xx naming the problem and stores nothing', () => {
    const quiz = (over: object) => ({
      passMark: 80,
      questions: [{ type: 'single', text: 'Q', explanation: 'E', options: [{ text: 'a', correct: true }, { text: 'b', correct: false }] }],
      ...over,
    });
    let draftId: string;
    beforeAll(async () => {
      draftId = (await http().post('/api/training/courses').set(trainer).send({ missionId: hub.ids.missions.MINUSCA, title: 'Draft', description: '', language: 'en', targetRoles: ['field_medical_officer'], estimatedMinutes: 10 }).expect(201)).body.id;
    });

    it('a quiz with no correct option', async () => {
      const res = await http()
        .put(`/api/training/courses/${draftId}/quiz`)
        .set(trainer)
        .send(quiz({ questions: [{ type: 'single', text: 'Q', explanation: 'E', options: [{ text: 'a', correct: false }, { text: 'b', correct: false }] }] }))
        .expect(400);
      expect(res.body.fields).toEqual([{ field: 'questions.0.options', problems: ['no option is marked correct'] }]);
      expect((await q(`SELECT count(*)::int AS n FROM training_quizzes WHERE course_id = $1`, [draftId]))[0].n).toBe(0);
    });

    it('a pass mark above 100', async () => {
      const res = await http().put(`/api/training/courses/${draftId}/quiz`).set(trainer).send(quiz({ passMark: 101 })).expect(400);
      expect(res.body.fields).toEqual([{ field: 'passMark', problems: ['passMark must be between 0 and 100'], rules: ['max'] }]);
      expect((await q(`SELECT count(*)::int AS n FROM training_quizzes WHERE course_id = $1`, [draftId]))[0].n).toBe(0);
    });

    it('a sign-off of a learner who is not in a cohort of the trainer’s mission', async () => {
      const [item] = await q(`SELECT id FROM training_checklist_items WHERE course_id = $1 LIMIT 1`, [courseId]);
      const before = (await q(`SELECT count(*)::int AS n FROM training_sign_offs`))[0].n;
      for (const email of ['doctor@minusca.demo', 'officer@unmiss.demo']) {
        const res = await http()
          .post(`/api/training/courses/${courseId}/sign-offs`)
          .set(trainer)
          .send({ userId: hub.ids.users[email], itemId: item.id, performedOn: new Date().toISOString().slice(0, 10) })
          .expect(400);
        expect(res.body.fields).toEqual([{ field: 'userId', problems: [expect.stringMatching(/not in a cohort of your mission/)] }]);
      }
      expect((await q(`SELECT count(*)::int AS n FROM training_sign_offs`))[0].n).toBe(before);
    });

    it('other course and cohort mistakes', async () => {
      const bad = await http().post('/api/training/courses').set(trainer).send({ title: '', description: '', language: 'de', targetRoles: ['pilot'], estimatedMinutes: -1, validityDays: 0 }).expect(400);
      expect(bad.body.fields.map((f: { field: string }) => f.field).sort()).toEqual(['estimatedMinutes', 'language', 'targetRoles', 'title', 'validityDays']);
      // a certification course cannot be published without quiz and checklist
      await http().post(`/api/training/courses/${draftId}/lessons`).set(trainer).send({ title: 'L1', body: '# Hello' }).expect(201);
      await http().patch(`/api/training/courses/${draftId}`).set(trainer).send({ certificationKind: 'telemedicine_user' }).expect(200);
      const pub = await http().post(`/api/training/courses/${draftId}/publish`).set(trainer).expect(400);
      expect(pub.body.fields[0].field).toBe('quiz');
      // cohort members must be users of the mission
      const cohort = await http()
        .post('/api/training/cohorts')
        .set(trainer)
        .send({ missionId: hub.ids.missions.MINUSCA, name: 'Rotation', memberIds: [hub.ids.users['newofficer@minusca.demo'], hub.ids.users['officer@unmiss.demo']], courseIds: [] })
        .expect(400);
      expect(cohort.body.fields).toEqual([{ field: 'memberIds.1', problems: ["is not a user of the cohort's mission"] }]);
      // cohort dates: a real date (not a 500 from the database), and the end not before the start
      const cohorts = (await q(`SELECT count(*)::int AS n FROM training_cohorts`))[0].n;
      const rotation = { missionId: hub.ids.missions.MINUSCA, name: 'Rotation', memberIds: [], courseIds: [] };
      const day = await http().post('/api/training/cohorts').set(trainer).send({ ...rotation, startsOn: '2026-02-30' }).expect(400);
      expect(day.body.fields).toEqual([{ field: 'startsOn', problems: ['startsOn must be a real date (YYYY-MM-DD)'], rules: ['isIsoDate'] }]);
      const order = await http().post('/api/training/cohorts').set(trainer).send({ ...rotation, startsOn: '2026-06-01', endsOn: '2026-05-01' }).expect(400);
      expect(order.body.fields).toEqual([{ field: 'endsOn', problems: ['is before startsOn'] }]);
      expect((await q(`SELECT count(*)::int AS n FROM training_cohorts`))[0].n).toBe(cohorts);
      const [seeded] = await q(`SELECT id, ends_on FROM training_cohorts WHERE mission_id = $1 LIMIT 1`, [hub.ids.missions.MINUSCA]);
      await http().patch(`/api/training/cohorts/${seeded.id}`).set(trainer).send({ startsOn: '2099-01-01', endsOn: '2098-01-01' }).expect(400);
      expect((await q(`SELECT ends_on FROM training_cohorts WHERE id = $1`, [seeded.id]))[0].ends_on).toEqual(seeded.ends_on);
    });

    it('a published course stays publishable: no certification without quiz and checklist, no course without lessons', async () => {
      const course = { missionId: hub.ids.missions.MINUSCA, title: 'Radio etiquette', description: '', language: 'en', targetRoles: ['field_medical_officer'], estimatedMinutes: 5 };
      const plainId = (await http().post('/api/training/courses').set(trainer).send(course).expect(201)).body.id;
      const lesson = (await http().post(`/api/training/courses/${plainId}/lessons`).set(trainer).send({ title: 'Only lesson', body: 'Over.' }).expect(201)).body;
      await http().post(`/api/training/courses/${plainId}/publish`).set(trainer).expect(200);
      // turning it into a certification course would certify whoever reads the lesson
      const kind = await http().patch(`/api/training/courses/${plainId}`).set(trainer).send({ certificationKind: 'trainer' }).expect(400);
      expect(kind.body.fields[0].field).toBe('quiz');
      expect((await q(`SELECT certification_kind FROM training_courses WHERE id = $1`, [plainId]))[0].certification_kind).toBeNull();
      const removed = await http().delete(`/api/training/courses/${plainId}/lessons/${lesson.id}`).set(trainer).expect(400);
      expect(removed.body.fields[0].field).toBe('lessons');
      expect((await q(`SELECT count(*)::int AS n FROM training_lessons WHERE course_id = $1`, [plainId]))[0].n).toBe(1);
      // emptying a certification course's checklist would certify without a trainer's sign-off
      const items = (await q(`SELECT count(*)::int AS n FROM training_checklist_items WHERE course_id = $1 AND active`, [courseId]))[0].n;
      const empty = await http().put(`/api/training/courses/${courseId}/checklist`).set(trainer).send({ items: [] }).expect(400);
      expect(empty.body.fields[0].field).toBe('checklist');
      expect((await q(`SELECT count(*)::int AS n FROM training_checklist_items WHERE course_id = $1 AND active`, [courseId]))[0].n).toBe(items);
    });

    it('an attachment that is not an image, PDF or video', async () => {
      const [lesson] = await q(`SELECT id FROM training_lessons WHERE course_id = $1 LIMIT 1`, [draftId]);
      const res = await http().post(`/api/training/courses/${draftId}/lessons/${lesson.id}/attachments?filename=x.exe`).set(trainer).set('Content-Type', 'application/octet-stream').send(Buffer.from('MZ not a document')).expect(400);
      expect(res.body.fields[0]).toMatchObject({ field: 'file' });
      expect((await q(`SELECT count(*)::int AS n FROM training_attachments`))[0].n).toBe(0);
      const ok = await http().post(`/api/training/courses/${draftId}/lessons/${lesson.id}/attachments?filename=sop.pdf`).set(trainer).set('Content-Type', 'application/octet-stream').send(Buffer.from('%PDF-1.4\n%test')).expect(201);
      expect(ok.body).toMatchObject({ mediaType: 'application/pdf', filename: 'sop.pdf', size: 14 });
      const file = await http().get(ok.body.url).set(trainer).expect(200);
      expect(file.headers['content-type']).toBe('application/pdf');
    });
  });

  it('searches the resource centre per language with full-text search', async () => {
    const en = (await http().get('/api/training/resources?q=evacuating').set(learner).expect(200)).body;
    expect(en.map((r: { title: string }) => r.title)).toContain('SOP: requesting a MEDEVAC after a teleconsultation');
    expect(en[0].snippet).toMatch(/«/);
    const fr = (await http().get(`/api/training/resources?language=fr&q=${encodeURIComponent('évacuations sanitaires')}`).set(learner).expect(200)).body;
    expect(fr.map((r: { title: string }) => r.title)).toEqual(['PON : demander une évacuation sanitaire après une téléconsultation']);
    const tagged = (await http().get('/api/training/resources?tag=ecg').set(learner).expect(200)).body;
    expect(tagged.map((r: { title: string }) => r.title)).toEqual(['Recording a 12-lead ECG for remote reading']);
    // UNMISS staff do not see MINUSCA's own documents
    const other = (await http().get('/api/training/resources?q=contacts').set(bearer(await hub.login('officer@unmiss.demo'))).expect(200)).body;
    expect(other).toEqual([]);
    const own = (await http().get('/api/training/resources?q=contacts').set(learner).expect(200)).body;
    expect(own.map((r: { title: string }) => r.title)).toEqual(['MINUSCA: reference hospitals and contacts']);
    // the tsvector match can use the GIN index (forced here: the demo table is too small for the planner to want it)
    const plan = await hub.db.dataSource.transaction(async (m) => {
      await m.query('SET LOCAL enable_seqscan = off');
      return m.query(
        `EXPLAIN SELECT id FROM training_resources r WHERE r.search @@ websearch_to_tsquery('english', $1)`,
        ['evacuation'],
      );
    });
    expect(plan.map((p: { 'QUERY PLAN': string }) => p['QUERY PLAN']).join('\n')).toMatch(/training_resources_search_idx/);
  });
});
