import { io, Socket } from 'socket.io-client';
import { freePort, nestedConnectionAcquisitions } from '@hub/database';
import { SocketPushes } from '@hub/notifications';
import { bearer, createTestHub, TestHub } from '@hub/testing';
import { caseBody, PATIENT } from './fixtures';

/**
 * The transactional outbox (issue 15): a notification and its socket push are stored in the transaction of the case
 * step that causes them, and delivered after the commit, once, by whichever instance claims them.
 */
describe('transactional outbox', () => {
  let hub: TestHub;
  let officer: { Authorization: string };
  let doctorSocket: Socket;
  let patientId: string;
  const received: { id: string; kind: string; caseId: string | null }[] = [];
  const q = (sql: string, params: unknown[] = []) => hub.db.dataSource.query(sql, params);
  const waitFor = async (what: string, ok: () => boolean | Promise<boolean>, ms = 10_000) => {
    const until = Date.now() + ms;
    while (!(await ok())) {
      if (Date.now() > until) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  const forCase = (id: string) => received.filter((n) => n.caseId === id);

  beforeAll(async () => {
    hub = await createTestHub({ LOG_LEVEL: 'silent' }, { hubJobs: false });
    officer = bearer(await hub.login('officer@minusca.demo'));
    patientId = (await hub.http().post('/api/patients').set(officer).send(PATIENT).expect(201)).body.id;
    const port = await freePort();
    await hub.app.listen(port, '127.0.0.1');
    const token = (await hub.login('doctor@minusca.demo')).accessToken;
    doctorSocket = await new Promise<Socket>((resolve, reject) => {
      const s = io(`http://127.0.0.1:${port}`, { path: '/socket.io', transports: ['websocket'], auth: { token }, reconnection: false });
      s.on('connect', () => resolve(s));
      s.on('connect_error', reject);
    });
    doctorSocket.on('notification', (n: { id: string; kind: string; caseId: string | null }) => received.push(n));
  });
  // the delivery a request starts after its commit is not that request's work (connection-watch.ts)
  afterEach(() => expect(nestedConnectionAcquisitions).toEqual([]));
  afterAll(async () => {
    doctorSocket?.close();
    await q('DROP TRIGGER IF EXISTS outbox_test_refuse ON notifications').catch(() => undefined);
    await hub?.close();
  });

  const draft = async () => (await hub.http().post('/api/cases').set(officer).send(caseBody(patientId)).expect(201)).body.id as string;

  it.each([
    ['without an Idempotency-Key', undefined],
    ['with an Idempotency-Key (ambient transaction)', 'outbox-retry-1'],
  ])('a failing notification write rolls the whole step back; the retry succeeds and the notification arrives once (%s)', async (_label, key) => {
    const id = await draft();
    // The notification write fails (as a full disk or a lost connection would), for this case only.
    await q(`CREATE OR REPLACE FUNCTION outbox_test_refuse() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN IF NEW.case_id = '${id}' THEN RAISE EXCEPTION 'notification store unavailable (test)'; END IF; RETURN NEW; END $$`);
    await q('CREATE TRIGGER outbox_test_refuse BEFORE INSERT ON notifications FOR EACH ROW EXECUTE FUNCTION outbox_test_refuse()');
    const submit = () => {
      const r = hub.http().post(`/api/cases/${id}/submit`).set(officer).send({});
      return key ? r.set('Idempotency-Key', key) : r;
    };
    const failed = await submit();
    expect(failed.status).toBeGreaterThanOrEqual(500);
    // nothing of the step committed: the case is still a draft, no transition, no audit record, no push waiting
    expect((await q('SELECT status FROM referral_cases WHERE id = $1', [id]))[0].status).toBe('draft');
    expect(await q(`SELECT 1 FROM case_transitions WHERE case_id = $1 AND to_status = 'submitted'`, [id])).toHaveLength(0);
    expect(await q(`SELECT 1 FROM audit_entries WHERE subject_id = $1 AND action = 'case.submit' AND outcome = 'success'`, [id])).toHaveLength(0);
    expect(await q(`SELECT 1 FROM outbox WHERE payload::text LIKE $1`, [`%${id}%`])).toHaveLength(0);
    if (key) expect(await q('SELECT 1 FROM idempotency_keys WHERE key = $1', [key])).toHaveLength(0);

    await q('DROP TRIGGER outbox_test_refuse ON notifications');
    // the retry runs the step again (before the outbox, the step had committed: 500, then 409 on retry)
    const retried = await submit();
    expect(retried.status).toBe(200);
    expect(retried.body.status).toBe('submitted');
    const stored = await q(`SELECT id FROM notifications WHERE case_id = $1 AND kind = 'case.new_in_queue' AND user_id = $2`, [id, hub.ids.users['doctor@minusca.demo']]);
    expect(stored).toHaveLength(1);
    await waitFor('the doctor’s notification', () => forCase(id).length > 0);
    await new Promise((r) => setTimeout(r, 1_500)); // a poll round of the outbox: nothing is delivered twice
    expect(forCase(id)).toEqual([expect.objectContaining({ id: stored[0].id, kind: 'case.new_in_queue' })]);
    expect(await q('SELECT count(*)::int AS n FROM outbox')).toEqual([{ n: 0 }]);
  });

  it('keeps a push whose delivery failed and delivers it on a later attempt, once', async () => {
    const pushes = hub.app.get(SocketPushes);
    const deliver = jest.spyOn(pushes as unknown as { deliver: (p: unknown) => void }, 'deliver').mockImplementationOnce(() => {
      throw new Error('socket adapter unavailable (test)');
    });
    try {
      const id = await draft();
      await hub.http().post(`/api/cases/${id}/submit`).set(officer).send({}).expect(200);
      // the first attempt failed: the row stays, with its error, for a retry after a backoff
      await waitFor('the failed attempt to be recorded', async () => (await q('SELECT attempts FROM outbox WHERE attempts > 0')).length === 1);
      const [row] = await q('SELECT attempts, last_error, payload FROM outbox');
      expect(row).toMatchObject({ attempts: 1, last_error: 'socket adapter unavailable (test)' });
      expect(JSON.stringify(row.payload)).toContain(id);
      expect(forCase(id)).toEqual([]);
      await waitFor('the retried delivery', () => forCase(id).length > 0, 8_000);
      await new Promise((r) => setTimeout(r, 1_500));
      expect(forCase(id)).toHaveLength(1);
      expect(await q('SELECT count(*)::int AS n FROM outbox')).toEqual([{ n: 0 }]);
      expect(deliver.mock.calls.length).toBeGreaterThanOrEqual(2);
    } finally {
      deliver.mockRestore();
    }
  });

  it('delivers a push that another instance committed and never sent (it died after its commit)', async () => {
    const room = `user:${hub.ids.users['doctor@minusca.demo']}`;
    const note = { id: '00000000-0000-4000-8000-0000000000aa', kind: 'case.message', caseId: 'from-a-dead-instance' };
    await q(`INSERT INTO outbox (topic, payload) VALUES ('socket.push', $1::jsonb)`, [JSON.stringify({ pushes: [{ rooms: [room], event: 'notification', data: note }] })]);
    await waitFor('the orphaned push', () => forCase('from-a-dead-instance').length > 0, 5_000);
    expect(forCase('from-a-dead-instance')).toEqual([note]);
  });
});
