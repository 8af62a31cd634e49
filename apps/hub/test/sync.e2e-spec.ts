import { createHash, randomBytes } from 'node:crypto';
import sharp from 'sharp';
import { Client } from 'pg';
import { uuidv7 } from 'uuidv7';
import { PULLED_TABLES, type PullResponse, type SyncOperation } from '@hub/contracts';
import { nestedConnectionAcquisitions } from '@hub/database';
import { SyncLogPruner, SYNC_LOG_RETENTION_MS } from '@hub/sync';
import { createTestHub, TestHub } from '@hub/testing';

/**
 * The hub side of field-node sync (docs/field-node.md): enrolment and revocation, exactly-once push (a batch
 * replayed, a batch cut halfway, a node restored from a backup), re-checks against the acting user's rights at the
 * time of the change, and a pull cursor that never skips a transaction that commits late.
 */
const CLINIC = 'Bangui Level 1 Clinic (BANBAT)';

describe('field-node sync (hub side)', () => {
  let hub: TestHub;
  let admin: string;
  let missionId: string;
  let facilityId: string;
  let officerId: string;
  let doctorId: string;

  beforeAll(async () => {
    hub = await createTestHub();
    admin = (await hub.login('admin@minusca.demo')).accessToken;
    missionId = hub.ids.missions.MINUSCA;
    facilityId = hub.ids.facilities[CLINIC];
    officerId = hub.ids.users['officer@minusca.demo'];
    doctorId = hub.ids.users['doctor@minusca.demo'];
  });
  afterAll(() => hub.close());

  const q = (sql: string, params: unknown[] = []) => hub.db.dataSource.query(sql, params);

  /** Registers and enrols a node for the Bangui clinic; returns its credential header. */
  async function enrolledNode(): Promise<{ auth: string; nodeId: string }> {
    const reg = await hub.http().post('/api/sync/nodes').set('Authorization', `Bearer ${admin}`).send({ facilityId, name: 'Bangui node' }).expect(201);
    const credential = randomBytes(32).toString('base64url');
    const res = await hub.http().post('/api/sync/enrol').send({ code: reg.body.enrolmentCode, credential, version: 'test' }).expect(200);
    return { auth: `Node ${credential}`, nodeId: res.body.nodeId };
  }

  const push = (auth: string, operations: SyncOperation[]) =>
    hub.http().post('/api/sync/push').set('Authorization', auth).send({ operations, backlog: operations.length, version: 'test' });

  const pull = async (auth: string, cursor?: string, limit?: number): Promise<PullResponse> =>
    (await hub.http().get('/api/sync/pull').query({ ...(cursor ? { cursor } : {}), ...(limit ? { limit } : {}) }).set('Authorization', auth).expect(200)).body;

  /** Pages through a snapshot (from `cursor`, or the start) to its last page; returns its rows and the log cursor. */
  async function snapshot(auth: string, cursor?: string, limit?: number) {
    const pages: PullResponse[] = [];
    for (;;) {
      const page = await pull(auth, cursor, limit);
      expect(page.snapshot).toBeDefined();
      pages.push(page);
      cursor = page.cursor;
      if (page.snapshot!.done) return { changes: pages.flatMap((p) => p.changes), cursor, pages };
      expect(pages.length).toBeLessThan(1000);
    }
  }

  function patientOp(serviceNumber: string, at = new Date()): SyncOperation {
    const id = uuidv7();
    return {
      opId: uuidv7(),
      table: 'patients',
      recordId: id,
      actorId: officerId,
      at: at.toISOString(),
      row: {
        id,
        mission_id: missionId,
        service_number: serviceNumber,
        first_name: 'Amadou',
        last_name: 'Offline',
        date_of_birth: '1990-04-02',
        sex: 'male',
        nationality: 'CAF',
        contingent: 'BANBAT',
        current_facility_id: facilityId,
        created_by_id: officerId,
        created_at: at.toISOString(),
        updated_at: at.toISOString(),
      },
    };
  }

  function caseOp(patientId: string, at = new Date(), status = 'submitted'): SyncOperation {
    const id = uuidv7();
    return {
      opId: uuidv7(),
      table: 'referral_cases',
      recordId: id,
      actorId: officerId,
      at: at.toISOString(),
      row: {
        id,
        mission_id: missionId,
        patient_id: patientId,
        facility_id: facilityId,
        requested_by_id: officerId,
        specialty_code: 'dermatology',
        urgency: 'urgent',
        urgency_rank: 1,
        status,
        consent_given: true,
        presenting_complaint: 'Rash on both forearms for 3 days',
        question: 'Contact dermatitis or something else?',
        submitted_at: status === 'submitted' ? at.toISOString() : null,
        // a node cannot assign its own case: hub-owned fields are ignored
        assigned_doctor_id: doctorId,
        created_at: at.toISOString(),
        updated_at: at.toISOString(),
      },
    };
  }

  function messageOp(caseId: string, body: string): SyncOperation {
    const id = uuidv7();
    return { opId: uuidv7(), table: 'case_messages', recordId: id, actorId: officerId, at: new Date().toISOString(), row: { id, case_id: caseId, author_id: officerId, kind: 'message', body } };
  }

  describe('enrolment and revocation', () => {
    it('gives a one-time code; the node exchanges it once; a retry with the same credential is answered the same', async () => {
      const reg = await hub.http().post('/api/sync/nodes').set('Authorization', `Bearer ${admin}`).send({ facilityId, name: 'Bangui node' }).expect(201);
      expect(reg.body).toMatchObject({ status: 'awaiting_enrolment', facilityName: CLINIC, missionId });
      expect(reg.body.enrolmentCode).toMatch(/^[A-Z2-9]{5}(-[A-Z2-9]{5}){3}$/);
      const [stored] = await q('SELECT enrolment_code_hash FROM field_nodes WHERE id = $1', [reg.body.id]);
      expect(stored.enrolment_code_hash).not.toContain(reg.body.enrolmentCode);

      const credential = randomBytes(32).toString('base64url');
      const body = { code: reg.body.enrolmentCode, credential, version: '0.1.0' };
      const first = await hub.http().post('/api/sync/enrol').send(body).expect(200);
      expect(first.body).toEqual({ nodeId: reg.body.id, missionId, facilityId, facilityName: CLINIC });
      expect((await hub.http().post('/api/sync/enrol').send(body).expect(200)).body).toEqual(first.body);
      const other = await hub.http().post('/api/sync/enrol').send({ ...body, credential: randomBytes(32).toString('base64url') }).expect(401);
      expect(other.body.message).toMatch(/code: this enrolment code is unknown, already used or expired/);

      const list = await hub.http().get('/api/sync/nodes').set('Authorization', `Bearer ${admin}`).expect(200);
      expect(list.body.find((n: { id: string }) => n.id === reg.body.id)).toMatchObject({ status: 'active', version: '0.1.0', lastContactAt: expect.any(String) });
    });

    it('refuses a facility of another mission as not found, and bad input naming the field', async () => {
      const juba = hub.ids.facilities['Juba Level 1 Clinic (RWANBAT)'];
      await hub.http().post('/api/sync/nodes').set('Authorization', `Bearer ${admin}`).send({ facilityId: juba, name: 'x' }).expect(404);
      const bad = await hub.http().post('/api/sync/nodes').set('Authorization', `Bearer ${admin}`).send({ facilityId: 'nope', name: '' }).expect(400);
      expect(JSON.stringify(bad.body)).toMatch(/facilityId/);
    });

    it('a revoked node gets nothing more and is told so; the refusal is audited', async () => {
      const { auth, nodeId } = await enrolledNode();
      await pull(auth);
      await hub.http().post(`/api/sync/nodes/${nodeId}/revoke`).set('Authorization', `Bearer ${admin}`).expect(200);
      const refused = await hub.http().get('/api/sync/pull').set('Authorization', auth).expect(403);
      expect(refused.body).toMatchObject({ code: 'NODE_REVOKED', message: expect.stringMatching(/revoked/) });
      const op = patientOp(`SN-REV-${Date.now()}`);
      expect((await push(auth, [op])).status).toBe(403);
      expect(await q('SELECT 1 FROM patients WHERE id = $1', [op.recordId])).toHaveLength(0);
      const [audit] = await q(`SELECT count(*)::int AS n FROM audit_entries WHERE action = 'sync.node_refused' AND subject_id = $1`, [nodeId]);
      expect(audit.n).toBe(2);
      await hub.http().get('/api/sync/pull').set('Authorization', 'Node not-a-credential').expect(401);
    });
  });

  describe('push: exactly once', () => {
    it('applies a batch replayed three times once, and audits it as offline', async () => {
      const { auth } = await enrolledNode();
      const p = patientOp(`SN-REPLAY-${Date.now()}`);
      const c = caseOp(p.recordId);
      const batch = [p, c, messageOp(c.recordId, 'Photo follows when the link allows'), messageOp(c.recordId, 'Itching at night')];
      const results = [];
      for (let i = 0; i < 3; i++) results.push((await push(auth, batch).expect(200)).body.results.map((r: { result: string }) => r.result));
      expect(results).toEqual([['applied', 'applied', 'applied', 'applied'], ['duplicate', 'duplicate', 'duplicate', 'duplicate'], ['duplicate', 'duplicate', 'duplicate', 'duplicate']]);

      expect(await q('SELECT 1 FROM patients WHERE id = $1', [p.recordId])).toHaveLength(1);
      const [kase] = await q('SELECT status, assigned_doctor_id, deadline_at, requested_by_id FROM referral_cases WHERE id = $1', [c.recordId]);
      expect(kase).toMatchObject({ status: 'submitted', assigned_doctor_id: null, requested_by_id: officerId });
      expect(kase.deadline_at).not.toBeNull();
      expect(await q('SELECT body FROM case_messages WHERE case_id = $1 ORDER BY body', [c.recordId])).toEqual([{ body: 'Itching at night' }, { body: 'Photo follows when the link allows' }]);
      expect(await q('SELECT from_status, to_status FROM case_transitions WHERE case_id = $1 ORDER BY id', [c.recordId])).toEqual([
        { from_status: null, to_status: 'draft' },
        { from_status: 'draft', to_status: 'submitted' },
      ]);
      const audit = await q(`SELECT details FROM audit_entries WHERE action = 'sync.applied' AND subject_id = ANY($1)`, [batch.map((o) => o.recordId)]);
      expect(audit).toHaveLength(4);
      expect(audit.every((a: { details: { offline: boolean } }) => a.details.offline === true)).toBe(true);
    });

    it('a batch cut halfway (answer lost) and a node restored from an old backup: nothing doubled, nothing lost', async () => {
      const { auth } = await enrolledNode();
      const p = patientOp(`SN-CUT-${Date.now()}`);
      const c = caseOp(p.recordId);
      const batch = [p, c, messageOp(c.recordId, 'one'), messageOp(c.recordId, 'two'), messageOp(c.recordId, 'three')];

      // The link dies while the hub answers the batch: the hub applied the first operations, the node saw nothing.
      const { results: half } = (await push(auth, batch.slice(0, 3)).expect(200)).body;
      expect(half.map((r: { result: string }) => r.result)).toEqual(['applied', 'applied', 'applied']);
      // The node resends its whole outbox.
      const { results: again } = (await push(auth, batch).expect(200)).body;
      expect(again.map((r: { result: string }) => r.result)).toEqual(['duplicate', 'duplicate', 'duplicate', 'applied', 'applied']);
      // Restored from yesterday's backup, the node sends everything again, plus what it makes afterwards.
      const later = messageOp(c.recordId, 'four');
      const { results: restored } = (await push(auth, [...batch, later]).expect(200)).body;
      expect(restored.map((r: { result: string }) => r.result)).toEqual(['duplicate', 'duplicate', 'duplicate', 'duplicate', 'duplicate', 'applied']);

      expect(await q('SELECT 1 FROM patients WHERE id = $1', [p.recordId])).toHaveLength(1);
      expect(await q('SELECT 1 FROM referral_cases WHERE id = $1', [c.recordId])).toHaveLength(1);
      expect((await q('SELECT body FROM case_messages WHERE case_id = $1 ORDER BY created_at, body', [c.recordId])).map((m: { body: string }) => m.body).sort()).toEqual(['four', 'one', 'three', 'two']);
      const [ops] = await q('SELECT count(*)::int AS n FROM sync_operations WHERE op_id = ANY($1)', [[...batch, later].map((o) => o.opId)]);
      expect(ops.n).toBe(6);
    });

    it('refuses what the user may not do, says why, and keeps refusing on replay', async () => {
      const { auth } = await enrolledNode();
      const foreign = patientOp(`SN-FOREIGN-${Date.now()}`);
      foreign.row.current_facility_id = hub.ids.facilities['Bria Level 1 Clinic (ZAMBAT)'];
      const doctorOp = { ...patientOp(`SN-DOC-${Date.now()}`), actorId: doctorId };
      const uncertified = { ...caseOp(uuidv7()), actorId: hub.ids.users['newofficer@minusca.demo'] };
      const { results } = (await push(auth, [foreign, doctorOp, uncertified]).expect(200)).body;
      expect(results).toEqual([
        expect.objectContaining({ result: 'refused', reason: expect.stringMatching(/own facility/) }),
        expect.objectContaining({ result: 'refused', reason: expect.stringMatching(/not a member of this node's facility/) }),
        expect.objectContaining({ result: 'refused', reason: expect.stringMatching(/telemedicine_user/) }),
      ]);
      const replay = (await push(auth, [foreign]).expect(200)).body.results[0];
      expect(replay).toMatchObject({ result: 'refused' });
      const [refusals] = await q(`SELECT count(*)::int AS n FROM audit_entries WHERE action = 'sync.refused' AND subject_id = ANY($1)`, [[foreign.recordId, doctorOp.recordId, uncertified.recordId]]);
      expect(refusals.n).toBe(3);
      expect(await q('SELECT 1 FROM patients WHERE id = ANY($1)', [[foreign.recordId, doctorOp.recordId]])).toHaveLength(0);
    });

    it('a certification that expired while the node was offline: earlier cases accepted, later ones refused', async () => {
      const { auth } = await enrolledNode();
      const p = patientOp(`SN-CERT-${Date.now()}`, new Date(Date.now() - 3 * 3600_000));
      const before = caseOp(p.recordId, new Date(Date.now() - 2 * 3600_000));
      const after = caseOp(p.recordId, new Date());
      await q(`UPDATE training_certificates SET expires_at = now() - interval '1 hour' WHERE user_id = $1 AND kind = 'telemedicine_user'`, [officerId]);
      try {
        const { results } = (await push(auth, [p, before, after]).expect(200)).body;
        expect(results.map((r: { result: string }) => r.result)).toEqual(['applied', 'applied', 'refused']);
        expect(results[2].reason).toMatch(/telemedicine_user/);
        const [audit] = await q(`SELECT details FROM audit_entries WHERE action = 'sync.applied' AND subject_id = $1`, [before.recordId]);
        expect(audit.details).toMatchObject({ offline: true, result: 'applied' });
      } finally {
        await q(`UPDATE training_certificates SET expires_at = now() + interval '300 days' WHERE user_id = $1 AND kind = 'telemedicine_user'`, [officerId]);
      }
    });

    it('an offline edit after the doctor accepted is kept in the thread as a conflict, never silently lost', async () => {
      const { auth } = await enrolledNode();
      const p = patientOp(`SN-CONFLICT-${Date.now()}`);
      const c = caseOp(p.recordId);
      await push(auth, [p, c]).expect(200);
      await q(`UPDATE referral_cases SET status = 'accepted', assigned_doctor_id = $2, accepted_at = now() WHERE id = $1`, [c.recordId, doctorId]);
      const edit: SyncOperation = { ...c, opId: uuidv7(), row: { ...c.row, history: 'Started after a new soap was issued' } };
      const { results } = (await push(auth, [edit]).expect(200)).body;
      expect(results[0]).toMatchObject({ result: 'conflict' });
      const [kase] = await q('SELECT status, history FROM referral_cases WHERE id = $1', [c.recordId]);
      expect(kase).toEqual({ status: 'accepted', history: '' });
      const [note] = await q(`SELECT body FROM case_messages WHERE case_id = $1 AND kind = 'system'`, [c.recordId]);
      expect(note.body).toMatch(/Edited offline on the node after the case was accepted.*new soap/);
    });

    it('refuses a malformed batch naming the field, storing nothing', async () => {
      const { auth } = await enrolledNode();
      const op = patientOp(`SN-BAD-${Date.now()}`);
      const res = await push(auth, [{ ...op, table: 'users' as never }]).expect(400);
      expect(JSON.stringify(res.body)).toMatch(/table must be one of/);
      expect(await q('SELECT 1 FROM sync_operations WHERE op_id = $1', [op.opId])).toHaveLength(0);
    });
  });

  describe('pull', () => {
    it("starts with a snapshot of the facility's scope: its staff with password hashes and MFA state, not other clinics' patients", async () => {
      const { auth } = await enrolledNode();
      const snap = await snapshot(auth);
      const of = (table: string) => snap.changes.filter((c) => c.table === table);
      const officer = of('users').find((u) => u.id === officerId)!;
      expect(officer.row).toMatchObject({ email: 'officer@minusca.demo', password_hash: expect.stringMatching(/^\$argon2/), mfa_enabled: false });
      expect(of('users').map((u) => u.row!.email).sort()).toEqual(['newofficer@minusca.demo', 'officer@minusca.demo']);
      expect(of('training_certificates').length).toBeGreaterThan(0);
      expect(of('missions').map((m) => m.id)).toEqual([missionId]);
      expect(of('patients').every((p) => p.row!.current_facility_id === facilityId)).toBe(true);
      expect(snap.cursor).toMatch(/^\d+:0$/);
    });

    it("delivers the doctor's answer made meanwhile, and never what another clinic may not see", async () => {
      const { auth } = await enrolledNode();
      const p = patientOp(`SN-PULL-${Date.now()}`);
      const c = caseOp(p.recordId);
      await push(auth, [p, c]).expect(200);
      let { cursor } = await pull(auth);
      const [answer] = await q(`INSERT INTO case_messages (case_id, author_id, kind, body) VALUES ($1, $2, 'message', 'Likely contact dermatitis') RETURNING id`, [c.recordId, doctorId]);
      await q(`INSERT INTO patients (mission_id, service_number, first_name, last_name, date_of_birth, sex, nationality, contingent, current_facility_id, created_by_id)
               VALUES ($1, $2, 'Other', 'Clinic', '1991-01-01', 'male', 'ZMB', 'ZAMBAT', $3, $4)`, [missionId, `SN-BRIA-${Date.now()}`, hub.ids.facilities['Bria Level 1 Clinic (ZAMBAT)'], officerId]);
      const got = await pullUntil(auth, cursor, (changes) => changes.some((x) => x.id === answer.id));
      expect(got.find((x) => x.id === answer.id)!.row).toMatchObject({ body: 'Likely contact dermatitis', author_id: doctorId });
      expect(got.filter((x) => x.table === 'patients' && x.row?.current_facility_id !== facilityId)).toEqual([]);
    });

    it('pages through the first snapshot by a cursor, resumes after a cut, and hands over to the log without losing a change made meanwhile', async () => {
      const { auth } = await enrolledNode();
      const whole = await snapshot(auth);
      const keys = (changes: PullResponse['changes']) => changes.map((c) => `${c.table}|${c.id}`).sort();

      const first = await pull(auth, undefined, 7);
      expect(first.snapshot).toEqual({ restart: true, done: false });
      expect(first.changes).toHaveLength(7);
      expect(first.cursor).toMatch(/^s:\d+:\d+:/);
      // A change while the node pages, to a table it has already paged past: it comes by the log afterwards.
      await q('UPDATE missions SET name = name WHERE id = $1', [missionId]);
      const second = await pull(auth, first.cursor, 7);
      expect(second.snapshot).toEqual({ restart: false, done: false });
      // The answer was lost on the link: the node asks again from the cursor it stored and gets the same page.
      const again = await pull(auth, first.cursor, 7);
      expect(again.changes).toEqual(second.changes);
      expect(again.cursor).toBe(second.cursor);

      const rest = await snapshot(auth, second.cursor, 7);
      const paged = [first, second, ...rest.pages];
      expect(paged.length).toBeGreaterThan(3);
      expect(paged.every((p) => p.changes.length <= 7)).toBe(true);
      expect(keys(paged.flatMap((p) => p.changes))).toEqual(keys(whole.changes));
      // Referenced tables first, as the node applies them.
      const order = paged.flatMap((p) => p.changes).map((c) => PULLED_TABLES.indexOf(c.table));
      expect(order).toEqual([...order].sort((a, b) => a - b));
      expect(rest.cursor).toMatch(/^\d+:0$/);
      const log = await pullUntil(auth, rest.cursor, (changes) => changes.some((c) => c.table === 'missions' && c.id === missionId));
      expect(log.find((c) => c.table === 'missions')!.row).toMatchObject({ id: missionId });

      expect((await hub.http().get('/api/sync/pull').query({ cursor: 's:1:99:' }).set('Authorization', auth).expect(400)).body.message).toMatch(/cursor/);
      expect((await hub.http().get('/api/sync/pull').query({ cursor: 's:1:2:not base64!' }).set('Authorization', auth).expect(400)).body.message).toMatch(/cursor/);
    });

    it('never skips a transaction that took its place in the log first but commits last', async () => {
      const { auth } = await enrolledNode();
      const p = patientOp(`SN-LATE-${Date.now()}`);
      const c = caseOp(p.recordId);
      await push(auth, [p, c]).expect(200);
      const { cursor } = await snapshot(auth);

      const slow = new Client({ connectionString: hub.db.url });
      await slow.connect();
      try {
        await slow.query('BEGIN');
        const [early] = (await slow.query(`INSERT INTO case_messages (case_id, author_id, kind, body) VALUES ($1, $2, 'message', 'written first, committed last') RETURNING id`, [c.recordId, doctorId])).rows;
        const [late] = await q(`INSERT INTO case_messages (case_id, author_id, kind, body) VALUES ($1, $2, 'message', 'written second, committed first') RETURNING id`, [c.recordId, doctorId]);
        const [seqs] = await q(`SELECT array_agg(seq ORDER BY seq) AS s FROM sync_changes WHERE record_id = $1`, [late.id]);
        expect(seqs.s).toHaveLength(1);

        // While the first transaction is open, the pull stops before it: the later commit is not delivered yet,
        // so the cursor cannot move past the entry still in flight.
        const during = await pull(auth, cursor);
        expect(during.changes.map((x) => x.id)).not.toContain(late.id);
        await slow.query('COMMIT');
        const got = await pullUntil(auth, during.cursor, (changes) => [early.id, late.id].every((id) => changes.some((x) => x.id === id)));
        expect(got.map((x) => x.id)).toEqual(expect.arrayContaining([early.id, late.id]));
      } finally {
        await slow.end();
      }
    });
  });

  /** Pulls from the cursor until `done` (other test files' transactions on the shared server may hold the bound back). */
  async function pullUntil(auth: string, cursor: string, done: (changes: PullResponse['changes']) => boolean) {
    const changes: PullResponse['changes'] = [];
    const deadline = Date.now() + 20_000;
    while (Date.now() < deadline) {
      const page = await pull(auth, cursor);
      changes.push(...page.changes);
      cursor = page.cursor;
      if (done(changes)) return changes;
      if (!page.more) await new Promise((r) => setTimeout(r, 200));
    }
    throw new Error(`pull did not deliver the expected changes within 20 s (got ${changes.length})`);
  }

  describe('attachments from a node', () => {
    async function submittedCase(auth: string): Promise<string> {
      const p = patientOp(`ATT-${randomBytes(3).toString('hex')}`);
      const c = caseOp(p.recordId);
      expect((await push(auth, [p, c]).expect(200)).body.results.map((r: { result: string }) => r.result)).toEqual(['applied', 'applied']);
      return c.recordId;
    }

    const offerOf = (caseId: string, bytes: Buffer) => ({
      id: uuidv7(),
      caseId,
      messageId: null,
      uploadId: randomBytes(16).toString('hex'),
      filename: 'rash.jpg',
      size: bytes.length,
      sha256: createHash('sha256').update(bytes).digest('hex'),
      uploadedById: officerId,
      createdAt: new Date().toISOString(),
    });

    it('takes a file in acknowledged chunks, resumes from the last acknowledged byte, and shows its progress to the doctor', async () => {
      const { auth } = await enrolledNode();
      const caseId = await submittedCase(auth);
      const bytes = await sharp({ create: { width: 120, height: 120, channels: 3, background: '#777', noise: { type: 'gaussian', mean: 128, sigma: 40 } } }).jpeg({ quality: 92 }).toBuffer();
      const offer = offerOf(caseId, bytes);
      const first = await hub.http().post('/api/sync/attachments').set('Authorization', auth).send(offer).expect(200);
      expect(first.body).toEqual({ id: offer.id, offset: 0, size: bytes.length, status: 'uploading' });
      // announced again (the answer was lost): the same transfer, nothing doubled
      expect((await hub.http().post('/api/sync/attachments').set('Authorization', auth).send(offer).expect(200)).body.offset).toBe(0);

      const send = (offset: number, chunk: Buffer) =>
        hub.http().patch(`/api/sync/attachments/${offer.id}`).set('Authorization', auth).set('Content-Type', 'application/offset+octet-stream').set('Upload-Offset', String(offset)).send(chunk);
      const half = Math.floor(bytes.length / 2);
      expect((await send(0, bytes.subarray(0, half)).expect(200)).body).toMatchObject({ offset: half, status: 'uploading' });
      // a chunk resent after a cut (already acknowledged) is refused with the offset to resume from; no byte written twice
      expect((await send(0, bytes.subarray(0, half)).expect(409)).body.message).toMatch(new RegExp(`holds ${half} bytes`));
      expect((await hub.http().patch(`/api/sync/attachments/${offer.id}`).set('Authorization', auth).send(Buffer.from('x')).expect(400)).body.message).toMatch(/Upload-Offset/);

      // the doctor sees the case now, with the photo arriving
      const doctor = (await hub.login('doctor@minusca.demo')).accessToken;
      const seen = await hub.http().get(`/api/cases/${caseId}`).set('Authorization', `Bearer ${doctor}`).expect(200);
      expect(seen.body.attachments).toEqual([expect.objectContaining({ id: offer.id, status: 'uploading', size: bytes.length, receivedBytes: half })]);

      expect((await hub.http().get(`/api/sync/attachments/${offer.id}`).set('Authorization', auth).expect(200)).body.offset).toBe(half);
      expect((await send(half, bytes.subarray(half)).expect(200)).body).toEqual({ id: offer.id, offset: bytes.length, size: bytes.length, status: 'ready' });
      const file = await hub.http().get(`/api/cases/${caseId}/attachments/${offer.id}`).set('Authorization', `Bearer ${doctor}`).buffer(true).parse((res, cb) => {
        const parts: Buffer[] = [];
        res.on('data', (d: Buffer) => parts.push(d));
        res.on('end', () => cb(null, Buffer.concat(parts)));
      }).expect(200);
      expect(Buffer.compare(file.body as Buffer, bytes)).toBe(0);
      const [row] = await q(`SELECT count(*)::int AS n FROM case_attachments WHERE id = $1`, [offer.id]);
      expect(row.n).toBe(1);

      // the node reads it back from any byte (a resumed download)
      const tail = await hub.http().get(`/api/sync/attachments/${offer.id}/content`).set('Authorization', auth).set('Range', `bytes=${half}-`).buffer(true).parse((res, cb) => {
        const parts: Buffer[] = [];
        res.on('data', (d: Buffer) => parts.push(d));
        res.on('end', () => cb(null, Buffer.concat(parts)));
      }).expect(206);
      expect(Buffer.compare(tail.body as Buffer, bytes.subarray(half))).toBe(0);
    });

    it("refuses a file of another facility's case, and an uploader without rights, with the reason", async () => {
      const { auth } = await enrolledNode();
      const caseId = await submittedCase(auth);
      const bytes = Buffer.from('not relevant');
      const [other] = await q(`SELECT id FROM referral_cases WHERE facility_id <> $1 LIMIT 1`, [facilityId]);
      if (other) await hub.http().post('/api/sync/attachments').set('Authorization', auth).send(offerOf(other.id, bytes)).expect(404);
      const stranger = { ...offerOf(caseId, bytes), uploadedById: doctorId };
      const refused = await hub.http().post('/api/sync/attachments').set('Authorization', auth).send(stranger).expect(403);
      expect(refused.body.message).toMatch(/member of this node's facility|could not add files/);
      const [audit] = await q(`SELECT count(*)::int AS n FROM audit_entries WHERE action = 'sync.refused' AND subject_id = $1`, [stranger.id]);
      expect(audit.n).toBe(1);
      expect((await hub.http().post('/api/sync/attachments').set('Authorization', auth).send({ ...offerOf(caseId, bytes), sha256: 'nope' }).expect(400)).body.message).toMatch(/sha256/);
    });

    it('announces many files in one request, each answered as alone (ready to take, not yet, refused)', async () => {
      const { auth } = await enrolledNode();
      const caseId = await submittedCase(auth);
      const bytes = Buffer.from('a small file');
      const ok = offerOf(caseId, bytes);
      const early = offerOf(uuidv7(), bytes);
      const stranger = { ...offerOf(caseId, bytes), uploadedById: doctorId };
      const batch = () => hub.http().post('/api/sync/attachments/offers').set('Authorization', auth).send({ offers: [ok, early, stranger] }).expect(200);
      const first = (await batch()).body.results;
      expect(first).toEqual([
        { id: ok.id, status: 200, progress: { id: ok.id, offset: 0, size: bytes.length, status: 'uploading' } },
        { id: early.id, status: 404, code: 'NOT_FOUND', message: expect.stringMatching(/caseId/) },
        { id: stranger.id, status: 403, code: expect.any(String), message: expect.stringMatching(/member of this node's facility|could not add files/) },
      ]);
      // replayed (the answer lost): the same answers, one file
      expect((await batch()).body.results.map((r: { status: number }) => r.status)).toEqual([200, 404, 403]);
      expect((await q('SELECT count(*)::int AS n FROM case_attachments WHERE id = $1', [ok.id]))[0].n).toBe(1);
      const bad = await hub.http().post('/api/sync/attachments/offers').set('Authorization', auth).send({ offers: [{ ...ok, sha256: 'nope' }] }).expect(400);
      expect(JSON.stringify(bad.body)).toMatch(/sha256/);
    });

    it('never takes a second pool connection while a push or an announced file holds a transaction', () => {
      // Every push and file announcement above (applied, refused, replayed) ran with the connection watch on.
      expect(nestedConnectionAcquisitions).toEqual([]);
    });

    it("gives nodes their mission's bandwidth budget with every pull", async () => {
      const { auth } = await enrolledNode();
      expect((await hub.http().put(`/api/sync/budgets/${missionId}`).set('Authorization', `Bearer ${admin}`).send({ rateKbps: 4, dailyMegabytes: 50 }).expect(400)).body.message).toMatch(/rateKbps/);
      await hub.http().put(`/api/sync/budgets/${missionId}`).set('Authorization', `Bearer ${admin}`).send({ rateKbps: 64, dailyMegabytes: 50 }).expect(200);
      expect((await pull(auth)).budget).toEqual({ rateKbps: 64, dailyMegabytes: 50 });
      await hub.http().put(`/api/sync/budgets/${missionId}`).set('Authorization', `Bearer ${admin}`).send({ rateKbps: null, dailyMegabytes: null }).expect(200);
      expect((await pull(auth)).budget).toEqual({ rateKbps: null, dailyMegabytes: null });
    });
  });

  describe('live events', () => {
    it('answers a long poll as soon as something for the node can be pulled, and after its timeout otherwise', async () => {
      const { auth } = await enrolledNode();
      let cursor = (await pull(auth)).cursor;
      const drain = async () => {
        for (let page = await pull(auth, cursor); ; page = await pull(auth, cursor)) {
          cursor = page.cursor;
          if (!page.more && !page.changes.length) return;
        }
      };
      // A pull reads the log only below the oldest transaction in flight, so a write of an earlier test (or the
      // audit sealer's transaction holding that bound) may still become readable after the drain and rightly wake
      // the first wait: drain again then. Nothing more is written here, so a second or third wait must stay idle.
      let idle = 0;
      let answer: { changed: boolean } | undefined;
      for (let attempt = 0; attempt < 3; attempt++) {
        await drain();
        idle = Date.now();
        answer = (await hub.http().get('/api/sync/wait').query({ cursor, timeoutMs: 1500 }).set('Authorization', auth).expect(200)).body;
        if (!answer?.changed) break;
      }
      expect(answer).toEqual({ changed: false });
      expect(Date.now() - idle).toBeGreaterThanOrEqual(1400);

      const waiting = hub.http().get('/api/sync/wait').query({ cursor, timeoutMs: 20_000 }).set('Authorization', auth);
      const started = Date.now();
      setTimeout(() => void push(auth, [patientOp(`LIVE-${randomBytes(3).toString('hex')}`)]).then(() => undefined), 300);
      expect((await waiting.expect(200)).body).toEqual({ changed: true });
      // woken by the change, long before the long poll's own timeout
      expect(Date.now() - started).toBeLessThan(15_000);
      expect((await hub.http().get('/api/sync/wait').query({ cursor: 'x' }).set('Authorization', auth).expect(400)).body.message).toMatch(/cursor/);
    });
  });

  describe('audit shipping', () => {
    const record = (seq: number, prevHash: string, action: string) => {
      const entry = { id: String(seq), chain: missionId, action, actor_id: officerId, subject_type: 'Case', subject_id: uuidv7(), outcome: 'success', details: {}, occurred_at: new Date().toISOString() };
      return { chain: missionId, seq: String(seq), prevHash, hash: createHash('sha256').update(`${prevHash}${seq}`).digest('hex'), entry };
    };

    it("keeps the node's trail once, refuses a fork or a gap, and links each batch into the mission's trail", async () => {
      const { auth, nodeId } = await enrolledNode();
      const genesis = '0'.repeat(64);
      const r1 = record(1, genesis, 'auth.login');
      const r2 = record(2, r1.hash, 'case.read');
      const send = (records: unknown[]) => hub.http().post('/api/sync/audit').set('Authorization', auth).send({ records });
      expect((await send([r1, r2]).expect(200)).body).toEqual({ heads: [{ chain: missionId, seq: '2' }] });
      // the same batch again (the answer was lost): nothing doubled
      expect((await send([r1, r2]).expect(200)).body).toEqual({ heads: [{ chain: missionId, seq: '2' }] });
      const [held] = await q(`SELECT count(*)::int AS n FROM node_audit_entries WHERE node_id = $1`, [nodeId]);
      expect(held.n).toBe(2);
      // a different record 2: a forked trail
      expect((await send([{ ...r2, hash: 'f'.repeat(64) }]).expect(409)).body.message).toMatch(/forked/);
      // record 4 without 3: a gap
      const r3 = record(3, r2.hash, 'case.read');
      expect((await send([record(4, r3.hash, 'case.read')]).expect(400)).body.message).toMatch(/send from 3/);
      await send([r3]).expect(200);
      // past nine records (numbers, not text, order the trail), and a replay of everything: nothing doubled
      const more = [r1, r2, r3];
      for (let seq = 4; seq <= 12; seq++) more.push(record(seq, more[more.length - 1].hash, 'case.read'));
      expect((await send(more.slice(3, 8)).expect(200)).body.heads).toEqual([{ chain: missionId, seq: '8' }]);
      expect((await send(more.slice(8)).expect(200)).body.heads).toEqual([{ chain: missionId, seq: '12' }]);
      expect((await send(more).expect(200)).body.heads).toEqual([{ chain: missionId, seq: '12' }]);
      expect((await q(`SELECT count(*)::int AS n FROM node_audit_entries WHERE node_id = $1`, [nodeId]))[0].n).toBe(12);

      const links = await q(
        `SELECT details FROM audit_entries WHERE action = 'sync.node_audit' AND subject_id = $1 ORDER BY id`,
        [nodeId],
      );
      expect(links.map((l: { details: Record<string, unknown> }) => [l.details.fromSeq, l.details.toSeq, l.details.headHash])).toEqual([
        ['1', '2', r2.hash],
        ['3', '3', r3.hash],
        ['4', '8', more[7].hash],
        ['9', '12', more[11].hash],
      ]);
      // the offline read is on record at the hub, findable by its subject
      const [offline] = await q(`SELECT entry->>'action' AS action FROM node_audit_entries WHERE entry->>'subject_id' = $1`, [r2.entry.subject_id]);
      expect(offline.action).toBe('case.read');
    });
  });
  describe('change-log pruning', () => {
    /** Pulls the log from `cursor` until `id` arrived, then once more, which tells the hub the node applied it. */
    async function pullPast(auth: string, cursor: string, id: string): Promise<string> {
      const deadline = Date.now() + 20_000;
      for (let seen = false; Date.now() < deadline; ) {
        const page = await pull(auth, cursor);
        expect(page.snapshot).toBeUndefined();
        seen ||= page.changes.some((c) => c.id === id);
        cursor = page.cursor;
        if (seen && !page.more && !page.changes.length) return cursor;
        if (!page.more) await new Promise((r) => setTimeout(r, 200));
      }
      throw new Error(`${id} did not arrive within 20 s`);
    }

    /** Pulls the log until it has nothing more; the last pull tells the hub the node applied it all. */
    async function drain(auth: string, cursor: string): Promise<string> {
      for (let i = 0; i < 100; i++) {
        const page = await pull(auth, cursor);
        expect(page.snapshot).toBeUndefined();
        cursor = page.cursor;
        if (!page.more && !page.changes.length) return cursor;
      }
      throw new Error('the log did not drain');
    }

    it('deletes what every live node pulled once older than the retention; a node behind the pruned horizon takes a fresh snapshot', async () => {
      // Only this test's nodes are live (a revoked node holds nothing back).
      await q('UPDATE field_nodes SET revoked_at = now() WHERE revoked_at IS NULL');
      const a = await enrolledNode();
      const b = await enrolledNode();
      const p = patientOp(`SN-PRUNE-${Date.now()}`);
      const c = caseOp(p.recordId);
      await push(a.auth, [p, c]).expect(200);
      let ca = await drain(a.auth, (await snapshot(a.auth)).cursor);
      let cb = await drain(b.auth, (await snapshot(b.auth)).cursor);
      const backupOfB = cb;

      const [msg] = await q(`INSERT INTO case_messages (case_id, author_id, kind, body) VALUES ($1, $2, 'message', 'Pruned later') RETURNING id`, [c.recordId, doctorId]);
      const logged = async () => (await q('SELECT count(*)::int AS n FROM sync_changes WHERE record_id = $1', [msg.id]))[0].n;
      expect(await logged()).toBe(1);
      ca = await pullPast(a.auth, ca, msg.id);

      const pruner = hub.app.get(SyncLogPruner);
      await pruner.prune(0);
      expect(await logged()).toBe(1); // B has not pulled it yet
      cb = await pullPast(b.auth, cb, msg.id);
      await pruner.prune(SYNC_LOG_RETENTION_MS);
      expect(await logged()).toBe(1); // younger than the retention
      await pruner.prune(0);
      expect(await logged()).toBe(0);
      const [horizon] = await q('SELECT xid::text, seq::text FROM sync_log_horizons WHERE scope = $1', [`facility:${facilityId}`]);
      expect(horizon).toBeDefined();

      // Nodes that kept up go on from their cursors.
      expect((await pull(a.auth, ca)).snapshot).toBeUndefined();
      expect((await pull(b.auth, cb)).snapshot).toBeUndefined();
      // B restored from its backup: its cursor lies before the pruned horizon, so it is given a fresh snapshot,
      // page by page, which holds the message the log no longer does; then the log goes on from there.
      const restored = await snapshot(b.auth, backupOfB, 10);
      expect(restored.pages[0].snapshot).toEqual({ restart: true, done: false });
      expect(restored.pages.length).toBeGreaterThan(1);
      expect(restored.changes.find((x) => x.id === msg.id)?.row).toMatchObject({ body: 'Pruned later' });
      expect((await pull(b.auth, restored.cursor)).snapshot).toBeUndefined();

      // The hourly task is registered with the coordinator (one run across instances).
      const [task] = await q(`SELECT runs FROM periodic_task_runs WHERE name = 'Sync log pruning'`);
      expect(Number(task?.runs)).toBeGreaterThanOrEqual(1);
    });
  });
});
