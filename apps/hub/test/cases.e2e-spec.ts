import { createHash } from 'node:crypto';
import { io, Socket } from 'socket.io-client';
import { Clock, HubJobs } from '@hub/common';
import { SlaService } from '@hub/cases';
import { freePort } from '@hub/database';
import { bearer, createTestHub, TestHub } from '@hub/testing';
import { caseBody, certify, PATIENT } from './fixtures';

const JPEG = Buffer.from(
  '/9j/4AAQSkZJRgABAQEASABIAAD/2wBDAAgGBgcGBQgHBwcJCQgKDBQNDAsLDBkSEw8UHRofHh0aHBwgJC4nICIsIxwcKDcpLDAxNDQ0Hyc5PTgyPC4zNDL/wAALCAABAAEBAREA/8QAFAABAAAAAAAAAAAAAAAAAAAACf/EABQQAQAAAAAAAAAAAAAAAAAAAAD/2gAIAQEAAD8AKp//2Q==',
  'base64',
);

describe('teleconsultation cases', () => {
  let hub: TestHub;
  let officer: { Authorization: string };
  let doctor: { Authorization: string };
  let patientId: string;

  beforeAll(async () => {
    hub = await createTestHub({ LOG_LEVEL: 'error' }, { hubJobs: false });
    officer = bearer(await hub.login('officer@minusca.demo'));
    doctor = bearer(await hub.login('doctor@minusca.demo'));
    const res = await hub.http().post('/api/patients').set(officer).send(PATIENT).expect(201);
    patientId = res.body.id;
  });
  afterAll(() => hub.close());

  it('registers a patient once per mission and masks the service number for others', async () => {
    const dup = await hub.http().post('/api/patients').set(officer).send({ ...PATIENT, firstName: 'Other' }).expect(409);
    expect(dup.body.message).toMatch(/serviceNumber: a patient with this service number is already registered/);
    // the reason, for the client to say in its reader's language
    expect(dup.body.params).toEqual({ reason: 'service_number_taken', patientId });
    const own = await hub.http().get(`/api/patients/${patientId}`).set(officer).expect(200);
    expect(own.body.serviceNumber).toBe('BAN-2026-0001');
    const manager = bearer(await hub.login('manager@minusca.demo'));
    const masked = await hub.http().get(`/api/patients/${patientId}`).set(manager).expect(200);
    expect(masked.body).toMatchObject({ serviceNumber: '•••0001', serviceNumberMasked: true });
    // officers of another mission, doctors and trainers: not found
    await hub.http().get(`/api/patients/${patientId}`).set(bearer(await hub.login('officer@unmiss.demo'))).expect(404);
    await hub.http().get(`/api/patients/${patientId}`).set(doctor).expect(404);
  });

  it('moves a patient between facilities of the mission and keeps the history', async () => {
    const other = hub.ids.facilities['Bria Level 1 Clinic (ZAMBAT)'];
    const p = (await hub.http().post('/api/patients').set(officer).send({ ...PATIENT, serviceNumber: 'BAN-2026-0002' }).expect(201)).body;
    const moved = await hub.http().post(`/api/patients/${p.id}/transfer`).set(officer).send({ toFacilityId: other, note: 'rotation' }).expect(201);
    expect(moved.body.currentFacilityId).toBe(other);
    expect(moved.body.transfers).toHaveLength(1);
    await hub.http().post(`/api/patients/${p.id}/transfer`).set(officer).send({ toFacilityId: hub.ids.facilities['Juba Level 1 Clinic (RWANBAT)'] }).expect(404);
  });

  it('runs the whole loop with a round of information requested, and keeps every transition', async () => {
    const created = await hub.http().post('/api/cases').set(officer).send(caseBody(patientId, { submit: true })).expect(201);
    const id = created.body.id;
    expect(created.body).toMatchObject({ status: 'submitted', urgency: 'urgent', escalationLevel: 0 });
    const due = new Date(created.body.deadlineAt).getTime() - new Date(created.body.submittedAt).getTime();
    expect(due).toBe(24 * 3600 * 1000);

    const queue = await hub.http().get('/api/cases?view=queue').set(doctor).expect(200);
    expect(queue.body.items.map((c: { id: string }) => c.id)).toContain(id);
    const view = await hub.http().get(`/api/cases/${id}`).set(doctor).expect(200);
    expect(view.body.patient.serviceNumberMasked).toBe(true);
    expect(view.body.allowedActions).toEqual(['accept']);

    await hub.http().post(`/api/cases/${id}/answer`).set(doctor).send({ assessment: 'x', recommendation: 'y', evacuation: { type: 'none' } }).expect(409);
    await hub.http().post(`/api/cases/${id}/accept`).set(doctor).expect(200);
    await hub.http().post(`/api/cases/${id}/request-information`).set(doctor).send({ question: 'Please send a close-up photo.' }).expect(200);
    await hub.http().post(`/api/cases/${id}/resubmit`).set(officer).send({ message: 'Photo attached; the rash is now on the trunk.' }).expect(200);
    const answered = await hub
      .http()
      .post(`/api/cases/${id}/answer`)
      .set(doctor)
      .send({ assessment: 'Likely doxycycline eruption.', recommendation: 'Stop doxycycline; switch prophylaxis.', evacuation: { type: 'medevac', priority: 'priority', destinationLevel: 2 } })
      .expect(200);
    expect(answered.body.evacuationAdvice).toEqual({ type: 'medevac', priority: 'priority', destinationLevel: 2 });
    await hub.http().post(`/api/cases/${id}/close`).set(officer).send({ outcome: 'evacuated', evacuationDone: true, evacuationAvoided: true }).expect(400);
    const closed = await hub.http().post(`/api/cases/${id}/close`).set(officer).send({ outcome: 'evacuated', evacuationDone: true, evacuationAvoided: false, note: 'Flown to Bangui' }).expect(200);
    expect(closed.body.status).toBe('closed');
    expect(closed.body.transitions.map((t: { to: string }) => t.to)).toEqual([
      'draft', 'submitted', 'accepted', 'information_requested', 'resubmitted', 'answered', 'closed',
    ]);
    expect(closed.body.transitions[2].actorName).toBe('Dr. Reference Doctor (MINUSCA)');
    const illegal = await hub.http().post(`/api/cases/${id}/cancel`).set(officer).send({}).expect(409);
    expect(illegal.body.message).toMatch(/Cannot cancel a case that is closed/);
    expect(illegal.body.params).toEqual({ reason: 'case_status', action: 'cancel', status: 'closed', allowed: expect.stringContaining('submitted') });

    const notes = await hub.http().get('/api/notifications').set(doctor).expect(200);
    expect(notes.body.map((n: { kind: string }) => n.kind)).toEqual(expect.arrayContaining(['case.new_in_queue', 'case.resubmitted', 'case.outcome_reported']));
  });

  it('orders the queue by urgency then deadline across specialties, and pages by keyset without gaps or repeats', async () => {
    const made: string[] = [];
    for (const [specialtyCode, urgency] of [['surgery', 'routine'], ['dermatology', 'emergency'], ['general_medicine', 'urgent'], ['dermatology', 'routine'], ['surgery', 'emergency']]) {
      made.push((await hub.http().post('/api/cases').set(officer).send(caseBody(patientId, { submit: true, specialtyCode, urgency })).expect(201)).body.id);
    }
    const all: { id: string; urgency: string; deadlineAt: string }[] = [];
    let cursor: string | null = null;
    do {
      const res: { body: { items: typeof all; nextCursor: string | null } } = await hub.http().get(`/api/cases?view=queue&limit=2${cursor ? `&cursor=${cursor}` : ''}`).set(doctor).expect(200);
      all.push(...res.body.items);
      cursor = res.body.nextCursor;
    } while (cursor);
    expect(new Set(all.map((c) => c.id)).size).toBe(all.length);
    expect(made.every((id) => all.some((c) => c.id === id))).toBe(true);
    const rank = { emergency: 0, urgent: 1, routine: 2 } as Record<string, number>;
    for (let i = 1; i < all.length; i++) {
      const [a, b] = [all[i - 1], all[i]];
      expect(rank[a.urgency] < rank[b.urgency] || (rank[a.urgency] === rank[b.urgency] && a.deadlineAt <= b.deadlineAt)).toBe(true);
    }
    await hub.http().get('/api/cases?view=queue&cursor=garbage').set(doctor).expect(400);
  });

  it('lets exactly one of two doctors accepting at once win', async () => {
    const id = (await hub.http().post('/api/cases').set(officer).send(caseBody(patientId, { submit: true })).expect(201)).body.id;
    // a second dermatologist at the same hospital
    const [u] = await hub.db.dataSource.query(
      `INSERT INTO users (email, display_name, password_hash, specialties) SELECT 'derm2@minusca.demo', 'Dr. Second', password_hash, '{dermatology}' FROM users WHERE email = 'doctor@minusca.demo' RETURNING id`,
    );
    await hub.db.dataSource.query(`INSERT INTO memberships (user_id, role, mission_id, facility_id) VALUES ($1, 'reference_doctor', $2, $3)`, [u.id, hub.ids.missions.MINUSCA, hub.ids.facilities['Bangui Level 2 Hospital']]);
    await certify(hub, u.id, 'telemedicine_consultant');
    const second = bearer(await hub.login('derm2@minusca.demo'));
    const results = await Promise.all([
      hub.http().post(`/api/cases/${id}/accept`).set(doctor),
      hub.http().post(`/api/cases/${id}/accept`).set(second),
    ]);
    expect(results.map((r) => r.status).sort()).toEqual([200, 409]);
    const [{ n }] = await hub.db.dataSource.query(`SELECT count(*)::int AS n FROM case_transitions WHERE case_id = $1 AND to_status = 'accepted'`, [id]);
    expect(n).toBe(1);
  });

  it('shows nothing of a case to other missions, other specialties, backup hospitals before escalation, and trainers', async () => {
    const id = (await hub.http().post('/api/cases').set(officer).send(caseBody(patientId, { submit: true, specialtyCode: 'cardiology' })).expect(201)).body.id;
    for (const email of ['officer@unmiss.demo', 'doctor@unmiss.demo', 'trainer@minusca.demo', 'doctor@minusca.demo', 'specialist@l4.demo']) {
      const who = bearer(await hub.login(email));
      const res = await hub.http().get(`/api/cases/${id}`).set(who);
      expect({ email, status: res.status }).toEqual({ email, status: 404 });
    }
  });

  it('escalates a breached case once, to backup hospitals then the health manager, also after a restart', async () => {
    const id = (await hub.http().post('/api/cases').set(officer).send(caseBody(patientId, { submit: true, urgency: 'emergency' })).expect(201)).body.id;
    const specialist = bearer(await hub.login('specialist@l4.demo'));
    await hub.http().get(`/api/cases/${id}`).set(specialist).expect(404);
    const clock = hub.app.get(Clock);
    const sla = hub.app.get(SlaService);
    const spy = jest.spyOn(clock, 'now').mockReturnValue(new Date(Date.now() + 61 * 60_000));
    try {
      const first = await sla.sweep();
      expect(first.escalated).toContainEqual({ caseId: id, level: 1 });
      // a second sweep (another instance, or after a restart) at the same time changes nothing
      const again = await sla.sweep();
      expect(again.escalated.filter((e) => e.caseId === id)).toEqual([]);
      // the Level 4 backup specialist now sees it in the queue and was notified
      const queue = await hub.http().get('/api/cases?view=queue').set(specialist).expect(200);
      expect(queue.body.items.map((c: { id: string }) => c.id)).toContain(id);
      const notes = await hub.http().get('/api/notifications').set(specialist).expect(200);
      expect(notes.body.filter((n: { kind: string; caseId: string }) => n.kind === 'case.sla_breach' && n.caseId === id)).toHaveLength(1);

      spy.mockReturnValue(new Date(Date.now() + 130 * 60_000));
      const restarted = new SlaService(hub.db.dataSource, (sla as any).cases, (sla as any).notifications, (sla as any).audit, clock, new HubJobs(false));
      expect((await restarted.sweep()).escalated).toContainEqual({ caseId: id, level: 2 });
      expect((await restarted.sweep()).escalated.filter((e) => e.caseId === id)).toEqual([]);
      const manager = bearer(await hub.login('manager@minusca.demo'));
      const managerNotes = await hub.http().get('/api/notifications').set(manager).expect(200);
      expect(managerNotes.body.filter((n: { kind: string; caseId: string }) => n.kind === 'case.sla_breach' && n.caseId === id)).toHaveLength(1);
      const rows = await hub.db.dataSource.query('SELECT level FROM case_escalations WHERE case_id = $1 ORDER BY level', [id]);
      expect(rows).toEqual([{ level: 1 }, { level: 2 }]);
    } finally {
      spy.mockRestore();
    }
  });

  it('chases a missing outcome report once', async () => {
    const id = (await hub.http().post('/api/cases').set(officer).send(caseBody(patientId, { submit: true })).expect(201)).body.id;
    await hub.http().post(`/api/cases/${id}/accept`).set(doctor).expect(200);
    await hub.http().post(`/api/cases/${id}/answer`).set(doctor).send({ assessment: 'a', recommendation: 'b', evacuation: { type: 'none' } }).expect(200);
    const spy = jest.spyOn(hub.app.get(Clock), 'now').mockReturnValue(new Date(Date.now() + 73 * 3600_000));
    try {
      const sla = hub.app.get(SlaService);
      expect((await sla.sweep()).reminded).toContain(id);
      expect((await sla.sweep()).reminded).not.toContain(id);
    } finally {
      spy.mockRestore();
    }
  });

  it('rejects bad clinical input naming the field', async () => {
    const bad = async (extra: object, field: string) => {
      const res = await hub.http().post('/api/cases').set(officer).send(caseBody(patientId, extra));
      expect({ status: res.status, fields: res.body.fields?.map((f: { field: string }) => f.field) ?? [res.body.message] }).toMatchObject({ status: 400 });
      expect(JSON.stringify(res.body)).toContain(field);
    };
    await bad({ vitals: { heartRate: 400 } }, 'vitals.heartRate');
    await bad({ vitals: { spo2: 30 } }, 'vitals.spo2');
    await bad({ vitals: { systolicBp: 90, diastolicBp: 120 } }, 'diastolicBp must be lower than systolicBp');
    await bad({ vitals: { temperatureC: 52 } }, 'vitals.temperatureC');
    await bad({ specialtyCode: 'astrology' }, 'unknown specialty astrology');
    await bad({ urgency: 'whenever' }, 'urgency');
    await bad({ consentGiven: false, submit: true }, 'consentGiven');
  });

  it('pushes notifications over socket.io only to users who may see the case, authenticated at the handshake', async () => {
    const port = await freePort();
    await hub.app.listen(port, '127.0.0.1');
    const url = `http://127.0.0.1:${port}`;
    const connect = (token?: string) =>
      new Promise<Socket>((resolve, reject) => {
        const s = io(url, { path: '/socket.io', transports: ['websocket'], auth: token ? { token } : {}, reconnection: false });
        s.on('connect', () => resolve(s));
        s.on('connect_error', (e) => reject(e));
      });
    await expect(connect()).rejects.toThrow(/UNAUTHENTICATED/);
    await expect(connect('forged.token.here')).rejects.toThrow(/UNAUTHENTICATED/);
    const doctorSocket = await connect(doctor.Authorization.slice(7));
    const outsider = await connect((await hub.login('doctor@unmiss.demo')).accessToken);
    const got: string[] = [];
    const outsiderGot: string[] = [];
    doctorSocket.on('notification', (n: { kind: string }) => got.push(n.kind));
    outsider.on('notification', (n: { kind: string }) => outsiderGot.push(n.kind));
    await hub.http().post('/api/cases').set(officer).send(caseBody(patientId, { submit: true })).expect(201);
    for (let i = 0; i < 50 && !got.length; i++) await new Promise((r) => setTimeout(r, 50));
    expect(got).toContain('case.new_in_queue');
    expect(outsiderGot).toEqual([]);
    doctorSocket.close();
    outsider.close();
  });

  it('resumes an upload cut at half and keeps identical bytes, checked by SHA-256', async () => {
    const id = (await hub.http().post('/api/cases').set(officer).send(caseBody(patientId)).expect(201)).body.id;
    const big = Buffer.concat([JPEG, Buffer.alloc(200_000, 7)]);
    const sha = createHash('sha256').update(big).digest('hex');
    const meta = (o: Record<string, string>) => Object.entries(o).map(([k, v]) => `${k} ${Buffer.from(v).toString('base64')}`).join(',');
    const created = await hub.http().post('/api/uploads').set(officer).set('Tus-Resumable', '1.0.0').set('Upload-Length', String(big.length)).set('Upload-Metadata', meta({ caseId: id, filename: 'rash.jpg', sha256: sha }));
    expect(created.status).toBe(201);
    const location = created.headers.location as string;
    const uploadPath = location.startsWith('http') ? new URL(location).pathname : location;
    const half = Math.floor(big.length / 2);
    await hub.http().patch(uploadPath).set(officer).set('Tus-Resumable', '1.0.0').set('Upload-Offset', '0').set('Content-Type', 'application/offset+octet-stream').send(big.subarray(0, half)).expect(204);
    // the link drops; the client asks where to resume
    const head = await hub.http().head(uploadPath).set(officer).set('Tus-Resumable', '1.0.0').expect(200);
    expect(Number(head.headers['upload-offset'])).toBe(half);
    // nobody else may resume or probe it
    await hub.http().head(uploadPath).set(doctor).set('Tus-Resumable', '1.0.0').expect(404);
    const done = await hub.http().patch(uploadPath).set(officer).set('Tus-Resumable', '1.0.0').set('Upload-Offset', String(half)).set('Content-Type', 'application/offset+octet-stream').send(big.subarray(half)).expect(204);
    const attachmentId = done.headers['x-attachment-id'];
    expect(attachmentId).toBeDefined();
    const file = await hub.http().get(`/api/cases/${id}/attachments/${attachmentId}`).set(officer).buffer(true).parse((res, cb) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => cb(null, Buffer.concat(chunks)));
    }).expect(200);
    expect(createHash('sha256').update(file.body as Buffer).digest('hex')).toBe(sha);
    expect(file.headers['content-type']).toBe('image/jpeg');
    await hub.http().get(`/api/cases/${id}/attachments/${attachmentId}?thumbnail=1`).set(officer).expect(200).expect('Content-Type', 'image/jpeg');
    // the attachment goes into the thread with a message
    const withMsg = await hub.http().post(`/api/cases/${id}/messages`).set(officer).send({ body: 'Photo of the forearm', attachmentIds: [attachmentId] }).expect(201);
    expect(withMsg.body.messages[0].attachmentIds).toEqual([attachmentId]);
  });

  it('refuses mistyped, damaged and oversized files', async () => {
    const id = (await hub.http().post('/api/cases').set(officer).send(caseBody(patientId)).expect(201)).body.id;
    const meta = (o: Record<string, string>) => Object.entries(o).map(([k, v]) => `${k} ${Buffer.from(v).toString('base64')}`).join(',');
    const upload = async (bytes: Buffer, sha: string, name: string) => {
      const c = await hub.http().post('/api/uploads').set(officer).set('Tus-Resumable', '1.0.0').set('Upload-Length', String(bytes.length)).set('Upload-Metadata', meta({ caseId: id, filename: name, sha256: sha })).expect(201);
      const path = c.headers.location.startsWith('http') ? new URL(c.headers.location).pathname : c.headers.location;
      return hub.http().patch(path).set(officer).set('Tus-Resumable', '1.0.0').set('Upload-Offset', '0').set('Content-Type', 'application/offset+octet-stream').send(bytes);
    };
    const exe = Buffer.from('MZ\x90\x00 pretending to be a photo');
    const mistyped = await upload(exe, createHash('sha256').update(exe).digest('hex'), 'photo.jpg');
    expect(mistyped.status).toBe(422);
    expect(mistyped.text).toMatch(/not accepted/);
    const damaged = await upload(JPEG, '0'.repeat(64), 'rash.jpg');
    expect(damaged.status).toBe(422);
    expect(damaged.text).toMatch(/checksum mismatch/);
    const big = await hub.http().post('/api/uploads').set(officer).set('Tus-Resumable', '1.0.0').set('Upload-Length', String(100 * 1024 * 1024)).set('Upload-Metadata', meta({ caseId: id, filename: 'huge.dcm', sha256: 'a'.repeat(64) }));
    expect(big.status).toBe(413);
    expect(big.body.message).toMatch(/Upload-Length/);
    // another mission's officer cannot start an upload to this case
    const other = bearer(await hub.login('officer@unmiss.demo'));
    await hub.http().post('/api/uploads').set(other).set('Tus-Resumable', '1.0.0').set('Upload-Length', '10').set('Upload-Metadata', meta({ caseId: id, filename: 'x.jpg', sha256: 'a'.repeat(64) })).expect(404);
  });
});
