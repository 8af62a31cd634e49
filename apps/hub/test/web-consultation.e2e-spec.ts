import type { Page } from 'playwright-core';
import { MediaService } from '@hub/media';
import { startWebHub, waitFor, WebHub } from '@hub/testing';
import { caseBody, PATIENT } from './fixtures';

/**
 * Live consultation in two Chromium windows (fake camera and microphone) through the real SFU (mediasoup worker
 * in the hub's process tree, no mock): the officer starts the call from the case page and waits, the doctor
 * admits, each side decodes the other's audio and video. Then the call survives a killed media worker and a lost
 * officer link without the doctor admitting again, and a capped uplink moves the doctor's consumer to a lower layer.
 * Media flow is read from each page's getStats (window.__call.inbound(): inbound-rtp per consumer).
 */
jest.setTimeout(180_000);

/** What the page exposes as window.__call (apps/web/src/call/useCall.ts); no DOM types in the hub's compile. */
interface Encoding { active?: boolean; maxBitrate?: number }
interface CallHook {
  inbound(): Promise<Inbound[]>;
  simulateLinkLoss(): void;
  sentRequests(): { event: string; at: number }[];
  getState(): { participantId: string | null; activeSpeakerId: string | null; phase: string; reconnects: number; remote: { kind: string; source: string; consumerId: string; spatialLayer: number | null }[] };
  producers: Map<string, { rtpSender?: { getParameters(): { encodings: Encoding[] }; setParameters(p: unknown): Promise<void> } }>;
}
declare const window: { __call?: CallHook };

type Inbound = { kind: string; source: string; participantId: string; bytesReceived: number; framesDecoded: number; frameWidth: number; frameHeight: number };

describe('live consultation in the web app (Chromium, real SFU)', () => {
  let web: WebHub;
  let caseId: string;
  let officer: Page;
  let doctor: Page;

  beforeAll(async () => {
    web = await startWebHub({ MEDIA_ENABLED: 'true', MEDIA_WORKERS: '1', MEDIA_LISTEN_IP: '127.0.0.1' }, async (hub) => {
      const auth = async (email: string) => ({ Authorization: `Bearer ${(await hub.login(email)).accessToken}` });
      const o = await auth('officer@minusca.demo');
      const patient = (await hub.http().post('/api/patients').set(o).send({ ...PATIENT, serviceNumber: 'BAN-CALL-0001' }).expect(201)).body;
      caseId = (await hub.http().post('/api/cases').set(o).send(caseBody(patient.id, { submit: true })).expect(201)).body.id;
      await hub.http().post(`/api/cases/${caseId}/accept`).set(await auth('doctor@minusca.demo')).expect(200);
    });
  });
  afterAll(() => web?.close());

  /** Signs in through the login page and waits until signed in (the login page has an h1 too). */
  async function signedIn(email: string): Promise<Page> {
    const page = await web.signIn(email);
    await page.getByTestId('user-name').waitFor();
    return page;
  }

  const inbound = (page: Page): Promise<Inbound[]> => page.evaluate(() => window.__call!.inbound());

  /** The spatial layer the SFU currently forwards to this page's camera consumer (mediasoup consumer.currentLayers). */
  async function remoteCameraLayer(page: Page): Promise<number | undefined> {
    const { participantId, consumerId } = await page.evaluate(() => {
      const st = window.__call!.getState();
      return { participantId: st.participantId, consumerId: st.remote.find((r) => r.kind === 'video' && r.source === 'camera')?.consumerId };
    });
    const sessionId = new URL(page.url()).pathname.split('/').pop()!;
    const peer = web.hub.app.get(MediaService).getRoom(sessionId)?.getPeer(participantId!);
    return consumerId ? peer?.consumers.get(consumerId)?.consumer.currentLayers?.spatialLayer : undefined;
  }

  /** Samples twice, `ms` apart: every remote audio track must receive more bytes, every camera decode more frames. */
  async function expectMediaFlowing(page: Page, who: string, ms = 2500) {
    const deadline = Date.now() + 30_000;
    let last = '';
    while (Date.now() < deadline) {
      const a = await inbound(page);
      await page.waitForTimeout(ms);
      const b = await inbound(page);
      const audio = b.filter((x) => x.kind === 'audio');
      const video = b.filter((x) => x.kind === 'video' && x.source === 'camera');
      const grew = (x: Inbound, key: 'bytesReceived' | 'framesDecoded') => {
        const before = a.find((y) => y.participantId === x.participantId && y.kind === x.kind && y.source === x.source);
        return x[key] > (before?.[key] ?? Infinity);
      };
      if (audio.length && video.length && audio.every((x) => grew(x, 'bytesReceived')) && video.every((x) => grew(x, 'bytesReceived') && grew(x, 'framesDecoded'))) {
        return b;
      }
      last = JSON.stringify({ a, b });
    }
    throw new Error(`${who}: audio and video not flowing: ${last}`);
  }

  const reconnects = (page: Page) => page.evaluate(() => window.__call!.getState().reconnects);
  /** Waits until the page rebuilt its media more often than `before` and is in the call again. */
  const rebuilt = (page: Page, before: number, ms = 30_000) =>
    waitFor(async () => (await page.evaluate(() => window.__call!.getState())).phase === 'in-call' && (await reconnects(page)) > before, ms, 'back in the call');
  const inCall = (page: Page, timeout = 30_000) => page.locator('[data-testid="call-page"][data-phase="in-call"]').waitFor({ timeout });

  async function openCall(page: Page) {
    await page.goto(`${web.base}/cases/${caseId}`);
    await page.getByTestId('case-consultations').waitFor();
    await page.getByRole('button', { name: /(Start|Join) live consultation/ }).click();
    await page.getByTestId('precall-page').waitFor();
    // the pre-call check measured the link and gave advice
    await page.getByTestId('probe-advice').waitFor({ timeout: 20_000 });
    expect(await page.getByTestId('probe-result').textContent()).toMatch(/Round trip\d+ ms/);
    expect(await page.getByRole('meter', { name: 'Microphone level' }).count()).toBe(1);
    await page.getByRole('button', { name: 'Join with video' }).click();
    await page.getByTestId('call-page').waitFor();
  }

  it('the officer waits, the doctor admits, each side decodes the other', async () => {
    officer = await signedIn('officer@minusca.demo');
    doctor = await signedIn('doctor@minusca.demo');

    await openCall(officer);
    await officer.getByTestId('waiting-room').waitFor({ timeout: 20_000 });
    expect(await officer.getByRole('status').first().textContent()).toContain('Waiting for the doctor');
    await officer.getByTestId('waiting-room').getByRole('button', { name: 'Leave' }).waitFor();

    await openCall(doctor);
    await inCall(doctor);
    const list = doctor.getByTestId('waiting-list');
    await list.waitFor({ timeout: 15_000 });
    await list.getByRole('button', { name: /^Admit / }).click();

    await inCall(officer);
    await officer.getByTestId('tile-remote').locator('video').waitFor({ timeout: 20_000 });
    await doctor.getByTestId('tile-remote').locator('video').waitFor({ timeout: 20_000 });
    // the SFU's active speaker observer names someone (the fake microphones beep), highlighted in the grid. It
    // announces changes only, so the page that was in the room at the first announcement shows it.
    const speaker = (p: Page) => p.evaluate(() => window.__call!.getState().activeSpeakerId);
    await waitFor(async () => (await speaker(doctor)) !== null || (await speaker(officer)) !== null, 15_000, 'an active speaker');
    const named = (await speaker(doctor)) !== null ? doctor : officer;
    await named.locator('.tile.speaking').first().waitFor({ timeout: 5_000 });
    const o = await expectMediaFlowing(officer, 'officer');
    const d = await expectMediaFlowing(doctor, 'doctor');
    expect(o.find((x) => x.kind === 'video')!.frameWidth).toBeGreaterThan(0);
    expect(d.find((x) => x.kind === 'video')!.frameWidth).toBeGreaterThan(0);
    // the officer's transports and consumers of the doctor's media came in the admitted answer, and the SFU started
    // those consumers when DTLS connected: no createTransport, consume or resumeConsumer round trip was needed
    const sent = await officer.evaluate(() => window.__call!.sentRequests().map((r) => r.event));
    expect(sent).toEqual(expect.arrayContaining(['join', 'connectTransport', 'produce']));
    expect(sent.filter((e) => ['createTransport', 'consume', 'resumeConsumer'].includes(e))).toEqual([]);

    // a tile can be enlarged and shrunk again; the technical figures wait behind "Details"
    const tile = doctor.getByTestId('tile-remote').first();
    await tile.getByRole('button', { name: /^Enlarge / }).click();
    expect(await tile.getAttribute('data-enlarged')).toBe('true');
    await tile.getByRole('button', { name: /^Shrink / }).click();
    expect(await tile.getAttribute('data-enlarged')).toBe('false');
    expect(await doctor.getByTestId('quality-details').count()).toBe(0);
    await doctor.getByTestId('quality-details-toggle').click();
    expect(await doctor.getByTestId('quality-details').textContent()).toMatch(/kbit\/s/);

    // chat goes to the case thread
    await officer.getByLabel('Chat message').fill('Patient is here, can you see the rash?');
    await officer.getByRole('button', { name: 'Send', exact: true }).click();
    await doctor.getByTestId('chat-log').getByText('Patient is here, can you see the rash?').waitFor({ timeout: 10_000 });
    const [{ n }] = await web.hub.db.dataSource.query(`SELECT count(*)::int AS n FROM case_messages WHERE case_id = $1 AND body LIKE '%can you see the rash%'`, [caseId]);
    expect(n).toBe(1);
  });

  it("shares the doctor's screen with the officer", async () => {
    await doctor.getByRole('button', { name: 'Share screen' }).click();
    await officer.locator('figure.screen video').waitFor({ timeout: 20_000 });
    expect(await officer.locator('figure.screen figcaption').textContent()).toContain('is sharing their screen');
    const screenFrames = async () => (await inbound(officer)).find((x) => x.source === 'screen')?.framesDecoded ?? 0;
    await waitFor(async () => (await screenFrames()) > 0, 15_000, 'screen frames');
    const before = await screenFrames();
    await waitFor(async () => (await screenFrames()) > before, 15_000, 'more screen frames');
    await doctor.getByRole('button', { name: 'Stop sharing' }).click();
    await waitFor(async () => (await officer.locator('figure.screen').count()) === 0, 10_000, 'screen tile gone');
  });

  it('resumes by itself when the media worker is killed mid-call', async () => {
    const media = web.hub.app.get(MediaService);
    const [pid] = media.workerPids();
    expect(pid).toBeGreaterThan(0);
    const before = { officer: await reconnects(officer), doctor: await reconnects(doctor) };
    process.kill(pid, 'SIGKILL');
    // a new worker replaces it, the room is rebuilt and both clients build new transports without anyone's action
    await waitFor(() => media.workerPids().some((p) => p !== pid), 20_000, 'a replacement worker');
    await rebuilt(officer, before.officer);
    await rebuilt(doctor, before.doctor);
    await expectMediaFlowing(officer, 'officer after worker death');
    await expectMediaFlowing(doctor, 'doctor after worker death');
  });

  it("brings the officer back without re-admission after the officer's link drops", async () => {
    const ctx = officer.context();
    const before = await reconnects(officer);
    await ctx.setOffline(true);
    await officer.evaluate(() => window.__call!.simulateLinkLoss());
    await officer.getByTestId('call-reconnecting').waitFor({ timeout: 10_000 });
    await officer.waitForTimeout(2000);
    const lostAt = Date.now();
    await ctx.setOffline(false);
    await rebuilt(officer, before, 20_000);
    const back = Date.now() - lostAt;
    // the doctor admitted nobody again: no one waits, the officer is in the call
    expect(await doctor.getByTestId('waiting-list').count()).toBe(0);
    await expectMediaFlowing(officer, 'officer after reconnect');
    await expectMediaFlowing(doctor, 'doctor after officer reconnect');
    expect(back).toBeLessThan(15_000);
  });

  it("moves the doctor's consumer to a lower layer when the officer's uplink is capped", async () => {
    // full layers first: the doctor receives a higher spatial layer
    await waitFor(async () => ((await remoteCameraLayer(doctor)) ?? 0) > 0, 30_000, 'a higher layer before the cap');
    const before = (await inbound(doctor)).find((x) => x.kind === 'video')!.frameWidth;
    // a weak uplink: the browser can only afford the lowest simulcast layer at a low bitrate
    await officer.evaluate(async () => {
      const sender = window.__call!.producers.get('camera')!.rtpSender!;
      const p = sender.getParameters();
      p.encodings.forEach((e, i) => {
        e.active = i === 0;
        e.maxBitrate = i === 0 ? 80_000 : 1;
      });
      await sender.setParameters(p);
    });
    await waitFor(async () => (await remoteCameraLayer(doctor)) === 0, 30_000, 'the lowest layer after the cap');
    // the server tells the page which layer it forwards (consumerLayersChanged), and the tile shows it
    await doctor.getByTestId('tile-remote').getByText('layer 0').waitFor({ timeout: 15_000 });
    await waitFor(async () => {
      const v = (await inbound(doctor)).find((x) => x.kind === 'video');
      return !!v && v.frameWidth > 0 && v.frameWidth < before;
    }, 30_000, 'smaller decoded frames');
    await expectMediaFlowing(doctor, 'doctor on the low layer');
  });

  it("pauses the doctor's video with a clear banner on a weak downlink, and brings it back", async () => {
    // the SFU may send the doctor only 60 kbit/s: its bandwidth estimate drops and the policy goes to audio only
    const participantId = await doctor.evaluate(() => window.__call!.getState().participantId);
    const sessionId = new URL(doctor.url()).pathname.split('/').pop()!;
    const transport = web.hub.app.get(MediaService).getRoom(sessionId)!.getPeer(participantId!)!.recvTransport()!.transport;
    await transport.setMaxOutgoingBitrate(60_000);
    const banner = doctor.getByTestId('quality-banner');
    await doctor.locator('[data-testid="quality-banner"][data-level="audio_only"], [data-testid="quality-banner"][data-level="text_suggested"]').waitFor({ timeout: 30_000 });
    expect(await banner.textContent()).toMatch(/video paused, audio continues|too weak for a call/);
    expect(await doctor.getByTestId('tile-remote').locator('video').count()).toBe(0);
    const a = await inbound(doctor);
    await doctor.waitForTimeout(2000);
    const b = await inbound(doctor);
    const of = (x: Inbound[], kind: string, key: 'bytesReceived' | 'framesDecoded') => x.find((y) => y.kind === kind)?.[key] ?? 0;
    expect(of(b, 'audio', 'bytesReceived')).toBeGreaterThan(of(a, 'audio', 'bytesReceived'));
    expect(of(b, 'video', 'framesDecoded') - of(a, 'video', 'framesDecoded')).toBeLessThanOrEqual(2);

    // the link recovers: the policy steps back up and video returns
    await transport.setMaxOutgoingBitrate(10_000_000);
    await waitFor(async () => ['full', 'reduced', 'low'].includes((await doctor.getByTestId('quality-indicator').getAttribute('data-level')) ?? ''), 45_000, 'video back');
    await doctor.getByTestId('tile-remote').locator('video').waitFor({ timeout: 10_000 });
    await expectMediaFlowing(doctor, 'doctor after the downlink recovered');
  });

  it('audio only: the doctor stops receiving video, audio continues', async () => {
    await doctor.getByLabel('Audio only').check();
    await waitFor(async () => (await doctor.getByTestId('tile-remote').locator('video').count()) === 0, 10_000, 'video tile gone');
    const a = await inbound(doctor);
    await doctor.waitForTimeout(2500);
    const b = await inbound(doctor);
    const audio = (x: Inbound[]) => x.find((y) => y.kind === 'audio')!.bytesReceived;
    expect(audio(b)).toBeGreaterThan(audio(a));
    const frames = (x: Inbound[]) => x.find((y) => y.kind === 'video')?.framesDecoded ?? 0;
    expect(frames(b) - frames(a)).toBeLessThanOrEqual(2);
  });

  it('the pre-call check advises audio only on a slow, laggy link', async () => {
    const page = await signedIn('officer@minusca.demo');
    await page.goto(`${web.base}/cases/${caseId}`);
    await page.getByRole('button', { name: /(Start|Join) live consultation/ }).click();
    await page.getByTestId('probe-advice').waitFor({ timeout: 20_000 });
    expect(await page.getByTestId('probe-advice').textContent()).toContain('Your link can carry video');
    // 60 kbit/s each way, 400 ms latency (DevTools network emulation applies to the probe's HTTP requests)
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('Network.enable');
    await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: 400, downloadThroughput: 60_000 / 8, uploadThroughput: 60_000 / 8 });
    await page.getByRole('button', { name: 'Test again' }).click();
    await page.getByTestId('probe-advice').getByText('Audio only recommended').waitFor({ timeout: 40_000 });
    expect(Number((await page.getByTestId('probe-result').textContent())!.match(/Round trip(\d+) ms/)![1])).toBeGreaterThanOrEqual(400);
    await page.context().close();
  });

  it('the doctor ends the call and the case shows the session record', async () => {
    await doctor.getByRole('button', { name: 'End for everyone' }).click();
    await officer.getByTestId('call-ended').waitFor({ timeout: 10_000 });
    await doctor.waitForURL(`**/cases/${caseId}`);
    const table = doctor.getByTestId('consultation-records');
    await table.waitFor();
    const row = await table.locator('tbody tr').first().textContent();
    expect(row).toMatch(/Field Officer/);
    expect(row).toMatch(/\d+ (s|min)/);
    // quality figures from the clients' stats reports
    expect(row).toMatch(/\d+ kbit\/s · loss [\d.]+ % · RTT \d+ ms/);
  });

  it('an officer waiting alone can leave the waiting room and is back on the case', async () => {
    // a new call, which the doctor has not opened: the officer waits
    await openCall(officer);
    await officer.getByTestId('waiting-room').waitFor({ timeout: 20_000 });
    const sessionId = new URL(officer.url()).pathname.split('/').pop()!;
    // the hub records a departure as left_at (the participant may come back by themselves)
    const row = async (): Promise<{ state: string; left_at: Date | null }> =>
      (await web.hub.db.dataSource.query(
        `SELECT p.state, p.left_at FROM consultation_participants p JOIN users u ON u.id = p.user_id WHERE p.session_id = $1 AND u.email = 'officer@minusca.demo'`,
        [sessionId],
      ))[0];
    expect(await row()).toEqual({ state: 'waiting', left_at: null });
    await officer.getByTestId('waiting-room').getByRole('button', { name: 'Leave' }).click();
    await officer.waitForURL(`**/cases/${caseId}`);
    await officer.getByTestId('case-page').waitFor();
    await waitFor(async () => (await row()).left_at !== null, 10_000, 'the officer recorded as gone from the waiting room');
  });
});
