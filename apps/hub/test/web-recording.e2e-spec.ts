import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { AttachmentsService } from '@hub/cases';
import { Clock } from '@hub/common';
import { RecordingsService } from '@hub/consultations';
import { startWebHub, waitFor, WebHub } from '@hub/testing';
import { caseBody, PATIENT } from './fixtures';

/**
 * Consented recording (issue 16.5) in two Chromium windows (fake camera and microphone) through the real SFU and
 * real ffmpeg: nothing is recorded until both participants consent; the recording stops as soon as one withdraws
 * (and when one leaves); the WebM on the case has audio and video of the right length (ffprobe) and plays (decoded
 * end to end); after the mission's retention period the sweep deletes file and attachment, audited.
 */
jest.setTimeout(400_000);

interface CallHook {
  getState(): { participantId: string | null; phase: string; recording: { recording: boolean } | null };
  setRecordingConsent(consent: boolean): Promise<void>;
  leave(endForAll?: boolean): Promise<void>;
}
declare const window: { __call?: CallHook };

interface Probe {
  streams: { codec_type: string; codec_name: string; width?: number }[];
  format: { duration: string; format_name: string };
}

describe('consented recording of a live consultation (Chromium, real SFU, ffmpeg)', () => {
  let web: WebHub;
  let caseId: string;
  let missionId: string;
  let officer: Page;
  let doctor: Page;
  let sessionId: string;

  beforeAll(async () => {
    web = await startWebHub(
      { MEDIA_ENABLED: 'true', MEDIA_WORKERS: '1', MEDIA_LISTEN_IP: '127.0.0.1' },
      async (hub) => {
        const auth = async (email: string) => ({ Authorization: `Bearer ${(await hub.login(email)).accessToken}` });
        const o = await auth('officer@minusca.demo');
        const patient = (await hub.http().post('/api/patients').set(o).send({ ...PATIENT, serviceNumber: 'BAN-REC-0001' }).expect(201)).body;
        const c = (await hub.http().post('/api/cases').set(o).send(caseBody(patient.id, { submit: true })).expect(201)).body;
        caseId = c.id;
        missionId = c.missionId;
        await hub.http().post(`/api/cases/${caseId}/accept`).set(await auth('doctor@minusca.demo')).expect(200);
      },
      { hubJobs: false },
    );
  });
  afterAll(() => web?.close());

  const sql = <T>(query: string, params: unknown[] = []): Promise<T[]> => web.hub.db.dataSource.query(query, params);
  const recordings = () =>
    sql<{ id: string; status: string; attachment_id: string | null; duration_ms: number | null; stop_reason: string | null; started_at: Date; stopped_at: Date | null }>(
      'SELECT id, status, attachment_id, duration_ms, stop_reason, started_at, stopped_at FROM consultation_recordings WHERE session_id = $1 ORDER BY started_at',
      [sessionId],
    );
  const controls = (page: Page) => page.getByTestId('recording-controls');
  /** The page's call state says (not) recording (read from the client: the DOM may re-render while reconnecting). */
  const recordingShown = (page: Page, on: boolean, timeout = 15_000) =>
    waitFor(async () => (await page.evaluate(() => window.__call!.getState().recording?.recording)) === on, timeout, `recording ${on} on the page`);
  const participantOf = (page: Page) => page.evaluate(() => window.__call!.getState().participantId!);
  const consentShown = async (page: Page, of: Page, consented: boolean) =>
    controls(page).locator(`li[data-participant="${await participantOf(of)}"][data-consented="${consented}"]`).waitFor({ timeout: 60_000 });

  /**
   * The page's consent button (shown, with its words), then the consent given through the call client the button
   * calls: on a loaded 2-core machine two pages decoding video can take longer to take a click than to render it.
   */
  async function consent(page: Page, on: boolean) {
    await page.getByRole('button', { name: on ? 'I consent to recording' : 'Withdraw my consent' }).waitFor({ timeout: 60_000 });
    await page.evaluate((c) => window.__call!.setRecordingConsent(c), on);
  }

  async function signedIn(email: string): Promise<Page> {
    const page = await web.signIn(email);
    await page.getByTestId('user-name').waitFor();
    return page;
  }

  async function openCall(page: Page) {
    await page.goto(`${web.base}/cases/${caseId}`);
    await page.getByTestId('case-consultations').waitFor();
    await page.getByRole('button', { name: /(Start|Join) live consultation/ }).click();
    await page.getByTestId('precall-page').waitFor();
    await page.getByRole('button', { name: 'Join with video' }).click();
    await page.getByTestId('call-page').waitFor();
  }
  const inCall = (page: Page, timeout = 30_000) => page.locator('[data-testid="call-page"][data-phase="in-call"]').waitFor({ timeout });

  function probe(path: string): Probe {
    return JSON.parse(execFileSync('ffprobe', ['-v', 'error', '-show_streams', '-show_format', '-of', 'json', path], { encoding: 'utf8' })) as Probe;
  }
  const fileOf = async (attachmentId: string) => {
    const [a] = await sql<{ upload_id: string; media_type: string; status: string }>('SELECT upload_id, media_type, status FROM case_attachments WHERE id = $1', [attachmentId]);
    return a ? { ...a, path: join(web.hub.app.get(AttachmentsService).directory, a.upload_id) } : undefined;
  };

  it('records only once both consent, stops when one withdraws, and the file on the case plays', async () => {
    officer = await signedIn('officer@minusca.demo');
    doctor = await signedIn('doctor@minusca.demo');
    await openCall(officer);
    await officer.getByTestId('waiting-room').waitFor({ timeout: 20_000 });
    await openCall(doctor);
    await inCall(doctor);
    await doctor.getByTestId('waiting-list').getByRole('button', { name: /^Admit / }).click();
    await inCall(officer);
    await officer.getByTestId('tile-remote').locator('video').waitFor({ timeout: 20_000 });
    await doctor.getByTestId('tile-remote').locator('video').waitFor({ timeout: 20_000 });
    sessionId = new URL(officer.url()).pathname.split('/').pop()!;

    // Nobody consented: not recording, and both see who has not consented.
    await recordingShown(officer, false);
    await recordingShown(doctor, false);
    expect(await controls(doctor).getByTestId('recording-consents').locator('li').count()).toBe(2);

    // The officer consents: shown to the doctor, still nothing recorded.
    await consent(officer, true);
    await consentShown(doctor, officer, true);
    await consentShown(officer, officer, true);
    await officer.waitForTimeout(2000);
    expect(await recordings()).toEqual([]);
    expect(await doctor.evaluate(() => window.__call!.getState().recording?.recording)).toBe(false);

    // The doctor consents too: recording, shown on both pages.
    await consent(doctor, true);
    await recordingShown(doctor, true, 30_000);
    await recordingShown(officer, true, 30_000);
    await officer.getByTestId('recording-indicator').waitFor({ timeout: 15_000 });
    const [started] = await recordings();
    expect(started.status).toBe('recording');
    const consentRows = await sql<{ consented: boolean }>('SELECT consented FROM consultation_recording_consents WHERE session_id = $1', [sessionId]);
    expect(consentRows.map((r) => r.consented)).toEqual([true, true]);

    await officer.waitForTimeout(6000);

    // The officer withdraws: it stops at once, on both pages.
    const withdrawnAt = Date.now();
    await consent(officer, false);
    await recordingShown(officer, false, 15_000);
    await recordingShown(doctor, false, 15_000);
    await consentShown(doctor, officer, false);

    await waitFor(async () => (await recordings())[0]?.status === 'stored', 20_000, 'the recording stored on the case');
    const [stored] = await recordings();
    expect(stored.stop_reason).toBe('withdrawn');
    // stopped when the withdrawal arrived (bounded loosely: the machine running the suite is loaded)
    expect(stored.stopped_at!.getTime()).toBeLessThanOrEqual(withdrawnAt + 10_000);
    const file = (await fileOf(stored.attachment_id!))!;
    expect(file).toMatchObject({ media_type: 'video/webm', status: 'ready' });

    // ffprobe: audio and video of both participants, as long as the recording lasted; and it decodes to the end.
    const p = probe(file.path);
    expect(p.format.format_name).toContain('webm');
    const kinds = p.streams.map((s) => `${s.codec_type}:${s.codec_name}`).sort();
    expect(kinds).toEqual(['audio:opus', 'audio:opus', 'video:vp8', 'video:vp8']);
    for (const v of p.streams.filter((s) => s.codec_type === 'video')) expect(v.width).toBeGreaterThan(0);
    const seconds = Number(p.format.duration);
    // as long as ffmpeg received media (duration_ms), and the recording's time on record (from before ffmpeg listened)
    expect(seconds).toBeGreaterThan(4);
    expect(Math.abs(seconds * 1000 - stored.duration_ms!)).toBeLessThan(2000);
    expect(Math.abs(seconds * 1000 - (stored.stopped_at!.getTime() - stored.started_at.getTime()))).toBeLessThan(3000);
    expect(execFileSync('ffmpeg', ['-v', 'error', '-nostdin', '-i', file.path, '-f', 'null', '-'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] })).toBe('');

    // Attached to the case like other attachments: listed on the case and readable by those who see the case.
    const token = (await web.hub.login('doctor@minusca.demo')).accessToken;
    const caseView = (await web.hub.http().get(`/api/cases/${caseId}`).set('Authorization', `Bearer ${token}`).expect(200)).body;
    expect(caseView.attachments.map((a: { id: string }) => a.id)).toContain(stored.attachment_id);
    const res = await web.hub.http().get(`/api/cases/${caseId}/attachments/${stored.attachment_id}`).set('Authorization', `Bearer ${token}`).buffer(true).expect(200);
    expect(res.headers['content-type']).toContain('video/webm');

    // Audited: three consent changes, the start, the stored file.
    const audit = await sql<{ action: string; n: number }>(
      `SELECT action, count(*)::int AS n FROM audit_entries WHERE action LIKE 'consultation.recording%' AND (subject_id = $1 OR subject_id = $2) GROUP BY action ORDER BY action`,
      [sessionId, caseId],
    );
    expect(audit).toEqual([
      { action: 'consultation.recording_consent', n: 3 },
      { action: 'consultation.recording_started', n: 1 },
      { action: 'consultation.recording_stored', n: 1 },
    ]);
  });

  it('stops when a participant leaves the call', async () => {
    await consent(officer, true);
    await recordingShown(doctor, true, 30_000);
    await officer.waitForTimeout(3000);
    await officer.getByTestId('call-page').getByRole('button', { name: 'Leave', exact: true }).waitFor({ timeout: 60_000 });
    await officer.evaluate(() => window.__call!.leave(false));
    await recordingShown(doctor, false, 15_000);
    await waitFor(async () => (await recordings()).filter((r) => r.status === 'stored').length === 2, 20_000, 'the second recording stored');
    const second = (await recordings())[1];
    expect(second.stop_reason).toBe('left');
    expect(probe((await fileOf(second.attachment_id!))!.path).streams.map((s) => s.codec_type)).toEqual(expect.arrayContaining(['audio', 'video']));
    // the officer's consent lapsed with the leave
    const [row] = await sql<{ consented: boolean; withdraw_reason: string }>(
      `SELECT c.consented, c.withdraw_reason FROM consultation_recording_consents c JOIN users u ON u.id = c.user_id WHERE c.session_id = $1 AND u.email = 'officer@minusca.demo'`,
      [sessionId],
    );
    expect(row).toEqual({ consented: false, withdraw_reason: 'left' });
  });

  it('deletes the recordings after the mission retention period, audited', async () => {
    const sweeper = web.hub.app.get(RecordingsService);
    await sql('UPDATE missions SET recording_retention_days = 2 WHERE id = $1', [missionId]);
    const stored = (await recordings()).filter((r) => r.status === 'stored');
    expect(stored).toHaveLength(2);
    const files = await Promise.all(stored.map(async (r) => (await fileOf(r.attachment_id!))!.path));
    for (const f of files) expect(existsSync(f)).toBe(true);

    // Within the period: kept.
    expect(await sweeper.sweep()).toBe(0);
    // The clock moved past it: deleted, file and attachment, the recording row kept as `deleted`.
    const clock = web.hub.app.get(Clock);
    const spy = jest.spyOn(clock, 'now').mockReturnValue(new Date(Date.now() + 2 * 86_400_000 + 60_000));
    try {
      expect(await sweeper.sweep()).toBe(2);
    } finally {
      spy.mockRestore();
    }
    for (const f of files) expect(existsSync(f)).toBe(false);
    expect(await sql('SELECT id FROM case_attachments WHERE id = ANY($1::uuid[])', [stored.map((r) => r.attachment_id)])).toEqual([]);
    expect((await recordings()).map((r) => [r.status, r.attachment_id])).toEqual([['deleted', null], ['deleted', null]]);
    const audit = await sql<{ details: { retentionDays: number; recordingId: string } }>(
      `SELECT details FROM audit_entries WHERE action = 'consultation.recording_deleted' AND subject_id = $1 ORDER BY id`,
      [caseId],
    );
    expect(audit.map((a) => a.details.retentionDays)).toEqual([2, 2]);
    expect(audit.map((a) => a.details.recordingId).sort()).toEqual(stored.map((r) => r.id).sort());
    expect(await sweeper.sweep()).toBe(0);
  });
});
