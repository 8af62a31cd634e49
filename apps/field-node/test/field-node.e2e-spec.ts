import { createHash } from 'node:crypto';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import sharp from 'sharp';
import { freePort } from '@hub/database';
import { createTestDatabase, LinkRelay, TEST_JWT_SECRET, TestDatabase } from '@hub/testing';
import { HUB_MAIN, NODE_MAIN, PASSWORD, Proc, until } from './node-processes';


let logs: () => string = () => '';

async function api(base: string, method: string, path: string, token?: string, body?: unknown): Promise<{ status: number; body: any }> {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: { 'Content-Type': 'application/json', ...(token ? { Authorization: `Bearer ${token}` } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(30_000),
  });
  const text = await res.text();
  if (res.status >= 500) throw new Error(`${method} ${path}: ${res.status} ${text}\n${logs().slice(-3000)}`);
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
}

/** A photo of a few tens of kB whose bytes are all different (noise), so a damaged or shifted byte shows. */
function photo(): Promise<Buffer> {
  return sharp({ create: { width: 160, height: 160, channels: 3, background: '#808080', noise: { type: 'gaussian', mean: 128, sigma: 40 } } }).jpeg({ quality: 92 }).toBuffer();
}

/** Attaches a file to a case with tus (as the web app does), in one PATCH; returns the attachment id. */
async function attach(base: string, token: string, caseId: string, filename: string, bytes: Buffer): Promise<string> {
  const sha = createHash('sha256').update(bytes).digest('hex');
  const meta = [`caseId ${Buffer.from(caseId).toString('base64')}`, `filename ${Buffer.from(filename).toString('base64')}`, `sha256 ${Buffer.from(sha).toString('base64')}`].join(',');
  const created = await fetch(`${base}/api/uploads`, { method: 'POST', headers: { Authorization: `Bearer ${token}`, 'Tus-Resumable': '1.0.0', 'Upload-Length': String(bytes.length), 'Upload-Metadata': meta } });
  if (created.status !== 201) throw new Error(`upload creation at ${base}: ${created.status} ${await created.text()}`);
  const patch = await fetch(new URL(created.headers.get('location')!, base), {
    method: 'PATCH',
    headers: { Authorization: `Bearer ${token}`, 'Tus-Resumable': '1.0.0', 'Upload-Offset': '0', 'Content-Type': 'application/offset+octet-stream' },
    body: bytes,
  });
  if (patch.status !== 204) throw new Error(`upload at ${base}: ${patch.status} ${await patch.text()}`);
  return patch.headers.get('x-attachment-id')!;
}

async function download(base: string, token: string, path: string): Promise<{ status: number; bytes: Buffer }> {
  const res = await fetch(`${base}${path}`, { headers: { Authorization: `Bearer ${token}` }, signal: AbortSignal.timeout(30_000) });
  return { status: res.status, bytes: Buffer.from(await res.arrayBuffer()) };
}

async function login(base: string, email: string): Promise<string> {
  const res = await api(base, 'POST', '/api/auth/login', undefined, { email, password: PASSWORD });
  if (res.status !== 200) throw new Error(`login ${email} at ${base}: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.accessToken;
}

/**
 * Issue 10's acceptance scenario: hub and node as separate processes with the link-emulating relay between them.
 * The link is cut; on the node an officer registers a patient, writes three cases with a photo each and messages;
 * the node is SIGKILLed (with its database) while offline and restarted; the link comes back at 64 kbit/s with
 * 600 ms round trip and is cut twice more while the text syncs and once more while the photos travel. The hub
 * ends with every record exactly once and byte-identical photos (the doctor saw a case before its photo, with the
 * photo's progress), and the doctor's answer and file made meanwhile are on the node.
 */
describe('field node: offline work syncs exactly once over a bad link', () => {
  let db: TestDatabase;
  let hub: Proc;
  let node: Proc;
  let relay: LinkRelay;
  let hubBase: string;
  let nodeBase: string;
  let nodeDir: string;
  let hubDir: string;
  let hubSql: Client;

  beforeAll(async () => {
    for (const main of [HUB_MAIN, NODE_MAIN]) if (!existsSync(main)) throw new Error(`${main} is missing: run \`npm run build\` first (npm test does)`);
    db = await createTestDatabase();
    await db.dataSource.destroy();
    hubDir = mkdtempSync(join(tmpdir(), 'hub-node-test-'));
    nodeDir = mkdtempSync(join(tmpdir(), 'field-node-test-'));
    chmodSync(nodeDir, 0o755);
    const hubPort = await freePort();
    hubBase = `http://127.0.0.1:${hubPort}`;
    hub = new Proc(HUB_MAIN, {
      NODE_ENV: 'test',
      PORT: String(hubPort),
      HUB_DATA_DIR: hubDir,
      DATABASE_URL: db.url,
      JWT_SECRET: TEST_JWT_SECRET,
      SEED_DEMO: 'true',
      LOG_LEVEL: 'warn',
      MEDIA_ENABLED: 'off',
      LOGIN_RATE_LIMIT_PER_MINUTE: '1000',
    });
    await hub.start('is running on');
    relay = await LinkRelay.start({ tcpTarget: { host: '127.0.0.1', port: hubPort } });
    const nodePort = await freePort();
    nodeBase = `http://127.0.0.1:${nodePort}`;
    node = new Proc(NODE_MAIN, {
      NODE_ENV: 'test',
      PORT: String(nodePort),
      HUB_URL: `http://127.0.0.1:${relay.tcpPort}`,
      NODE_DATA_DIR: nodeDir,
      NODE_SYNC_INTERVAL_MS: '500',
      NODE_SYNC_MAX_BACKOFF_MS: '2000',
      // About two operations per push: the sync takes several round trips, so the cuts land in the middle of it.
      NODE_SYNC_BATCH_BYTES: '2500',
      LOG_LEVEL: 'warn',
      LOGIN_RATE_LIMIT_PER_MINUTE: '1000',
    });
    await node.start('Field node is running on');
    logs = () => `--- node ---\n${node.output.slice(-3000)}\n--- hub ---\n${hub.output.slice(-3000)}`;
    hubSql = new Client({ connectionString: db.url });
    await hubSql.connect();
  }, 240_000);

  afterAll(async () => {
    await hubSql?.end();
    await node?.stop();
    await hub?.stop();
    await relay?.close();
    await db?.drop();
    for (const dir of [nodeDir, hubDir]) if (dir) rmSync(dir, { recursive: true, force: true });
  }, 60_000);

  it('works offline for the clinic and ends with the hub holding everything once and the node the answer', async () => {
    // Enrolled as MINUSCA's Bangui clinic with the demo code; the clinic's officer can sign in on the node.
    await until(async () => (await api(nodeBase, 'POST', '/api/auth/login', undefined, { email: 'officer@minusca.demo', password: PASSWORD })).status === 200, 'the officer synced to the node', 120_000, () => node.output);
    const hubNode = await hubSql.query(`SELECT n.enrolled_at, f.name FROM field_nodes n JOIN facilities f ON f.id = n.facility_id WHERE n.name = 'Bangui Level 1 node'`);
    expect(hubNode.rows[0]).toMatchObject({ name: 'Bangui Level 1 Clinic (BANBAT)', enrolled_at: expect.any(Date) });

    // While the link works: a first case reaches the hub.
    let officer = await login(nodeBase, 'officer@minusca.demo');
    const patient = await api(nodeBase, 'POST', '/api/patients', officer, {
      serviceNumber: 'BAN-NODE-0001', firstName: 'Amina', lastName: 'Rahman', dateOfBirth: '1994-03-12', sex: 'female', nationality: 'BGD', contingent: 'BANBAT-12',
    });
    expect(patient.status).toBe(201);
    expect(patient.body.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7/); // UUIDv7, made on the node
    const caseBody = (n: number) => ({
      patientId: patient.body.id, specialtyCode: 'dermatology', urgency: 'urgent', consentGiven: true, submit: true,
      presentingComplaint: `Rash, case ${n}`, history: 'Doxycycline for 3 weeks', vitals: { heartRate: 88 }, examination: 'Maculopapular rash', workingDiagnosis: 'Drug eruption?', question: `Question ${n}`,
    });
    const first = await api(nodeBase, 'POST', '/api/cases', officer, caseBody(0));
    expect(first.status).toBe(201);
    await until(async () => (await hubSql.query(`SELECT status FROM referral_cases WHERE id = $1`, [first.body.id])).rows[0]?.status === 'submitted', 'the first case on the hub', 60_000, () => node.output);

    // The link is cut. Meanwhile on the hub the doctor takes the first case and answers it.
    relay.cut(true, 'drop');
    const doctor = await login(hubBase, 'doctor@minusca.demo');
    expect((await api(hubBase, 'POST', `/api/cases/${first.body.id}/accept`, doctor)).status).toBe(200);
    expect((await api(hubBase, 'POST', `/api/cases/${first.body.id}/messages`, doctor, { body: 'Please stop doxycycline today.' })).status).toBe(201);
    expect((await api(hubBase, 'POST', `/api/cases/${first.body.id}/answer`, doctor, { assessment: 'Doxycycline eruption', recommendation: 'Stop doxycycline; switch prophylaxis', evacuation: { type: 'none' } })).status).toBe(200);
    // ... and adds a file for the clinic (a leaflet scan), which must come down to the node.
    const leaflet = await photo();
    const leafletId = await attach(hubBase, doctor, first.body.id, 'leaflet.jpg', leaflet);

    // Offline on the node: a patient, three cases, messages.
    const offlinePatient = await api(nodeBase, 'POST', '/api/patients', officer, {
      serviceNumber: 'BAN-NODE-0002', firstName: 'Jean', lastName: 'Offline', dateOfBirth: '1988-07-01', sex: 'male', nationality: 'CAF', contingent: 'BANBAT-12',
    });
    expect(offlinePatient.status).toBe(201);
    const made: string[] = [];
    const photos = new Map<string, Buffer>();
    for (let n = 1; n <= 3; n++) {
      const c = await api(nodeBase, 'POST', '/api/cases', officer, { ...caseBody(n), patientId: offlinePatient.body.id });
      expect(c.status).toBe(201);
      made.push(c.body.id);
      const bytes = await photo();
      const attachmentId = await attach(nodeBase, officer, c.body.id, `rash-${n}.jpg`, bytes);
      photos.set(attachmentId, bytes);
      expect((await api(nodeBase, 'POST', `/api/cases/${c.body.id}/messages`, officer, { body: `Photo follows (case ${n})`, attachmentIds: [attachmentId] })).status).toBe(201);
      expect((await api(nodeBase, 'POST', `/api/cases/${c.body.id}/messages`, officer, { body: `Temperature now 38.${n} (case ${n})` })).status).toBe(201);
    }
    expect([...photos.values()].every((b) => b.length > 12_000 && b.length < 60_000)).toBe(true);
    const status = await api(nodeBase, 'GET', '/api/node/status', officer);
    expect(status.body).toMatchObject({ state: 'offline', message: expect.stringMatching(/^Offline since .* your work is saved on this node · \d+ changes waiting$/) });
    expect(status.body.waiting).toBeGreaterThanOrEqual(10);

    // Power cut while offline: the node and its database die at once; the work is in the node's database.
    node.kill('SIGKILL');
    await new Promise((r) => node.child.once('exit', r));
    await node.start('Field node is running on');
    officer = await login(nodeBase, 'officer@minusca.demo');
    expect((await api(nodeBase, 'GET', `/api/cases/${made[2]}`, officer)).status).toBe(200);

    // The link returns at 64 kbit/s with 600 ms round trip, and is cut twice more while the node syncs.
    relay.set('both', { delayMs: 300, rateKbps: 64 });
    relay.cut(false);
    const onHub = async () => (await hubSql.query(`SELECT count(*)::int AS n FROM case_messages WHERE case_id = ANY($1)`, [made])).rows[0].n as number;
    const atCuts: number[] = [];
    for (let cut = 0; cut < 2; cut++) {
      const before = await onHub();
      await until(async () => (await onHub()) > before, `progress before cut ${cut + 1}`, 120_000, () => node.output);
      relay.cut(true, 'drop');
      atCuts.push(await onHub());
      await new Promise((r) => setTimeout(r, 3000));
      relay.cut(false);
    }
    // Both cuts came while the node was still sending (some of the offline messages on the hub, not all).
    expect(atCuts.every((n) => n > 0 && n < 6)).toBe(true);
    await until(async () => (await onHub()) === 6 && (await api(nodeBase, 'GET', '/api/node/status', officer)).body.waiting === 0, 'every operation acknowledged', 180_000, () => node.output);

    // The photos follow the text. A third cut in the middle of one: the doctor already sees the case, with the
    // photo "arriving" and how much of it is there; after the cut the node resumes from the last acknowledged byte.
    // The photos announced (thumbnails first): the doctor's view lists each one arriving before its bytes are all
    // there (the exact progress figure is checked in apps/hub/test/sync.e2e-spec.ts, where it can be held still).
    let views: unknown[] = [];
    await until(async () => {
      const seen = await api(hubBase, 'GET', `/api/cases/${made[0]}`, doctor);
      views = seen.body.attachments;
      return (seen.body.attachments as { filename: string }[]).some((a) => a.filename === 'rash-1.jpg');
    }, 'the doctor to see the photo announced', 120_000, () => `${JSON.stringify(views)}\n${logs()}`, 100);
    // A cut while the photos travel; the node resumes from the last byte the hub acknowledged.
    relay.cut(true, 'drop');
    await new Promise((r) => setTimeout(r, 3000));
    relay.cut(false);
    await until(async () => (await hubSql.query(`SELECT count(*)::int AS n FROM case_attachments WHERE case_id = ANY($1) AND status = 'ready'`, [made])).rows[0].n === 3, 'every photo on the hub', 180_000, () => node.output);

    // Every record exactly once on the hub.
    const patients = await hubSql.query(`SELECT id FROM patients WHERE service_number IN ('BAN-NODE-0001', 'BAN-NODE-0002') ORDER BY service_number`);
    expect(patients.rows.map((r) => r.id)).toEqual([patient.body.id, offlinePatient.body.id]);
    const cases = await hubSql.query(`SELECT id, status, question FROM referral_cases WHERE patient_id = $1 ORDER BY question`, [offlinePatient.body.id]);
    expect(cases.rows).toEqual(made.map((id, i) => ({ id, status: 'submitted', question: `Question ${i + 1}` })));
    const messages = await hubSql.query(`SELECT body FROM case_messages WHERE case_id = ANY($1) ORDER BY body`, [made]);
    expect(messages.rows.map((r) => r.body)).toEqual([1, 2, 3].flatMap((n) => [`Photo follows (case ${n})`, `Temperature now 38.${n} (case ${n})`]).sort());
    const transitions = await hubSql.query(`SELECT case_id, to_status FROM case_transitions WHERE case_id = ANY($1)`, [made]);
    expect(transitions.rows).toHaveLength(6); // draft and submitted, once per case
    const offline = await hubSql.query(`SELECT count(*)::int AS n FROM audit_entries WHERE action = 'sync.applied' AND (details->>'offline')::boolean AND subject_id = ANY($1)`, [made]);
    expect(offline.rows[0].n).toBe(6); // each case: created as a draft, then submitted

    // Every photo once, byte-identical, linked to its message, readable by the doctor.
    const files = await hubSql.query(
      `SELECT a.id, a.upload_id, a.status, a.has_thumbnail, m.body FROM case_attachments a LEFT JOIN case_messages m ON m.id = a.message_id WHERE a.case_id = ANY($1) ORDER BY m.body`,
      [made],
    );
    expect(files.rows.map((r) => [r.status, r.has_thumbnail, r.body])).toEqual([1, 2, 3].map((n) => ['ready', true, `Photo follows (case ${n})`]));
    for (const f of files.rows) {
      expect(readFileSync(join(hubDir, 'uploads', f.upload_id)).equals(photos.get(f.id)!)).toBe(true);
      const c = (await hubSql.query(`SELECT case_id FROM case_attachments WHERE id = $1`, [f.id])).rows[0];
      const read = await download(hubBase, doctor, `/api/cases/${c.case_id}/attachments/${f.id}`);
      expect(read.status).toBe(200);
      expect(read.bytes.equals(photos.get(f.id)!)).toBe(true);
    }

    // The doctor's answer made meanwhile is on the node (and still whole on the hub).
    const answeredOnHub = await hubSql.query(`SELECT status, assessment FROM referral_cases WHERE id = $1`, [first.body.id]);
    expect(answeredOnHub.rows[0]).toEqual({ status: 'answered', assessment: 'Doxycycline eruption' });
    const onNode = await until(async () => {
      const c = await api(nodeBase, 'GET', `/api/cases/${first.body.id}`, officer);
      return c.body?.status === 'answered' && c.body.assessment && c.body;
    }, "the doctor's answer on the node", 60_000, () => node.output);
    expect(onNode).toMatchObject({ status: 'answered', assessment: 'Doxycycline eruption', recommendation: 'Stop doxycycline; switch prophylaxis' });
    expect(JSON.stringify(onNode)).toContain('Please stop doxycycline today.');
    // The doctor's file came down too, byte-identical.
    const leafletOnNode = await until(async () => {
      const r = await download(nodeBase, officer, `/api/cases/${first.body.id}/attachments/${leafletId}`);
      return r.status === 200 && r.bytes;
    }, "the doctor's file on the node", 60_000, () => node.output);
    expect(leafletOnNode.equals(leaflet)).toBe(true);
    expect((await api(nodeBase, 'GET', '/api/node/status', officer)).body.files).toMatchObject({ up: 0, down: 0 });

    // The officer was told on the node: the answer and the doctor's message raised local notifications.
    const notices = await until(async () => {
      const res = await api(nodeBase, 'GET', '/api/notifications', officer);
      const mine = (res.body as { caseId: string; kind: string }[]).filter((n) => n.caseId === first.body.id);
      return mine.some((n) => n.kind === 'case.answered') && mine;
    }, 'local notifications of the answer', 30_000, () => node.output);
    expect(notices.map((n) => n.kind)).toEqual(expect.arrayContaining(['case.answered', 'case.message']));

    // Audit on both sides: the officer's read of a case on the node while offline is on record at the hub, and
    // linked into the mission's trail.
    const offlineRead = await until(async () => {
      const r = await hubSql.query(`SELECT node_id, entry->>'actor_id' AS actor FROM node_audit_entries WHERE entry->>'action' = 'case.read' AND entry->>'subject_id' = $1`, [made[2]]);
      return r.rows[0];
    }, "the node's audit of the offline read on the hub", 60_000, () => node.output);
    const links = await hubSql.query(`SELECT count(*)::int AS n FROM audit_entries WHERE action = 'sync.node_audit' AND subject_id = $1`, [offlineRead.node_id]);
    expect(links.rows[0].n).toBeGreaterThan(0);
  }, 600_000);

  it("refuses new cases on the node once the officer's certification is withdrawn on the hub", async () => {
    const officer = await login(nodeBase, 'officer@minusca.demo');
    const patients = await api(nodeBase, 'GET', '/api/patients', officer);
    const patientId = (patients.body.items ?? patients.body)[0].id;
    const body = { patientId, specialtyCode: 'dermatology', urgency: 'routine', consentGiven: true, presentingComplaint: 'Itch', question: 'Scabies?' };
    expect((await api(nodeBase, 'POST', '/api/cases', officer, body)).status).toBe(201);
    await hubSql.query(
      `UPDATE training_certificates SET revoked_at = now(), revocation_reason = 'Sign-off withdrawn' WHERE user_id = (SELECT id FROM users WHERE email = 'officer@minusca.demo')`,
    );
    const refused = await until(async () => {
      const res = await api(nodeBase, 'POST', '/api/cases', officer, body);
      return res.status === 403 && res.body;
    }, 'the node to refuse new cases after the next sync', 60_000, () => node.output, 2000);
    expect(refused).toMatchObject({ code: 'CERTIFICATION_REQUIRED' });
  }, 120_000);

  it('a revoked node gets nothing more and says so', async () => {
    await hubSql.query(`UPDATE field_nodes SET revoked_at = now() WHERE name = 'Bangui Level 1 node'`);
    const officer = await login(nodeBase, 'officer@minusca.demo');
    const status = await until(async () => {
      const res = await api(nodeBase, 'GET', '/api/node/status', officer);
      return res.body.state === 'revoked' && res.body;
    }, 'the node to notice its revocation', 60_000, () => node.output);
    expect(status.message).toMatch(/access to the hub was revoked/);
    const [{ n }] = (await hubSql.query(`SELECT count(*)::int AS n FROM audit_entries WHERE action = 'sync.node_refused'`)).rows;
    expect(n).toBeGreaterThan(0);
  }, 120_000);
});
