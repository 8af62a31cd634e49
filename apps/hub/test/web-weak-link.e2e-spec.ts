import type { Page } from 'playwright-core';
import { MediaService } from '@hub/media';
import { DirectionCounters, LinkRelay, routePageMediaThrough, startWebHub, waitFor, WebHub } from '@hub/testing';
import { caseBody, PATIENT } from './fixtures';

/**
 * Live calls on a weak link (issue 17), with real Chromium pages and the real SFU, each page's media through its
 * own link-emulating relay (libs/testing link-relay: rate with a 500 ms drop-tail queue, delay, loss; signalling is
 * not relayed). Rates count UDP payload, so a real link with IP/UDP headers is harsher.
 *
 * - The officer's uplink drops to 48 kbit/s: the officer's browser stops sending video within 5 s, the doctor's
 *   audio stays clear (heard concealment under 5 %), both pages say so; restored, the video is back within 20 s.
 *   Four consecutive runs of this file (load average 1.5-3.5): video stopped after 0.55-0.8 s, heard concealment
 *   0.2-1.2 %, back after 10.4-13.7 s (the probe wait is capped at 6 samples; it was 10, and up to 18.7 s).
 * - An audio-only call at 24 kbit/s each way, 300 ms one-way delay, 2 % loss, for 60 s: heard concealment under 5 %
 *   both ways, no ICE restart. Same four runs: 2.5-4.0 %, ~13 kbit/s sent each way, no queue drop (an audio-only
 *   call's browser no longer probes with padding: docs/media.md). Logs what each link carried by kind of packet.
 * - A steady 150 kbit/s link settles on one level: at most one change in 60 s once settled (0 in those runs).
 * `npm run bench:weak-link` measures the same conditions against an open link (bench/README.md).
 */
jest.setTimeout(300_000);

interface Encoding { active?: boolean; maxBitrate?: number }
interface StatsLike { forEach(fn: (s: Record<string, number | string | undefined>) => void): void }
interface CallHook {
  getState(): { participantId: string | null; phase: string; reconnectReason: string | null; quality: string; uplink: string; uplinkProbing: boolean; remote: { kind: string; consumerId: string; participantId: string }[] };
  subscribe(fn: () => void): () => void;
  producers: Map<string, { getStats(): Promise<StatsLike>; rtpSender?: { getParameters(): { encodings: Encoding[] } } }>;
  consumers: Map<string, { kind: string; getStats(): Promise<StatsLike> }>;
}
declare const window: { __call?: CallHook; __log?: { t: number; phase: string; reason: string | null; quality: string; uplink: string; probing: boolean }[] };

interface AudioIn { concealed: number; silentConcealed: number; total: number; packetsLost: number; packetsReceived: number }

describe('live calls on a weak link (Chromium, real SFU, emulated links)', () => {
  let web: WebHub;
  const cases: string[] = [];
  const relays: LinkRelay[] = [];
  const pages: Page[] = [];

  beforeAll(async () => {
    web = await startWebHub({ HUB_SLA_SWEEP: 'off', MEDIA_ENABLED: 'true', MEDIA_WORKERS: '1', MEDIA_LISTEN_IP: '127.0.0.1' }, async (hub) => {
      const auth = async (email: string) => ({ Authorization: `Bearer ${(await hub.login(email)).accessToken}` });
      const o = await auth('officer@minusca.demo');
      const d = await auth('doctor@minusca.demo');
      for (let i = 0; i < 3; i++) {
        const patient = (await hub.http().post('/api/patients').set(o).send({ ...PATIENT, serviceNumber: `BAN-WEAK-000${i}` }).expect(201)).body;
        const id = (await hub.http().post('/api/cases').set(o).send(caseBody(patient.id, { submit: true })).expect(201)).body.id;
        await hub.http().post(`/api/cases/${id}/accept`).set(d).expect(200);
        cases.push(id);
      }
    });
  });
  afterAll(async () => {
    for (const r of relays) await r.close();
    await web?.close();
  });
  afterEach(async () => {
    for (const p of pages.splice(0)) await p.context().close().catch(() => undefined);
  });

  /** A signed-in page whose WebRTC media goes through a relay of its own. */
  async function pageOnRelay(email: string): Promise<{ page: Page; relay: LinkRelay }> {
    const relay = await LinkRelay.start();
    relays.push(relay);
    const page = await web.signIn(email);
    pages.push(page);
    await page.getByTestId('user-name').waitFor();
    await routePageMediaThrough(page, relay);
    return { page, relay };
  }

  async function openCall(page: Page, caseId: string, audioOnly: boolean) {
    await page.goto(`${web.base}/cases/${caseId}`);
    await page.getByTestId('case-consultations').waitFor();
    await page.getByRole('button', { name: /(Start|Join) live consultation/ }).click();
    await page.getByTestId('precall-page').waitFor();
    await page.getByTestId('probe-advice').waitFor({ timeout: 20_000 });
    await page.getByRole('button', { name: audioOnly ? 'Join audio only' : 'Join with video' }).click();
    await page.getByTestId('call-page').waitFor();
    // every state the page goes through, with its time, for the checks below
    await page.evaluate(() => {
      const w = window;
      const wait = () => new Promise((r) => setTimeout(r, 100));
      void (async () => {
        while (!w.__call) await wait();
        w.__log = [];
        const push = () => {
          const s = w.__call!.getState();
          const last = w.__log![w.__log!.length - 1];
          const row = { t: Date.now(), phase: s.phase, reason: s.reconnectReason, quality: s.quality, uplink: s.uplink, probing: s.uplinkProbing };
          if (!last || last.phase !== row.phase || last.reason !== row.reason || last.quality !== row.quality || last.uplink !== row.uplink || last.probing !== row.probing) w.__log!.push(row);
        };
        push();
        w.__call.subscribe(push);
      })();
    });
  }

  /** The officer starts the call and waits, the doctor joins and admits; both in the call. */
  async function call(caseId: string, audioOnly: boolean) {
    const officer = await pageOnRelay('officer@minusca.demo');
    const doctor = await pageOnRelay('doctor@minusca.demo');
    await openCall(officer.page, caseId, audioOnly);
    await officer.page.getByTestId('waiting-room').waitFor({ timeout: 20_000 });
    await openCall(doctor.page, caseId, audioOnly);
    await inCall(doctor.page);
    await doctor.page.getByTestId('waiting-list').getByRole('button', { name: /^Admit / }).click({ timeout: 15_000 });
    await inCall(officer.page);
    return { officer, doctor };
  }
  const inCall = (page: Page) => page.locator('[data-testid="call-page"][data-phase="in-call"]').waitFor({ timeout: 30_000 });

  /** Receive-side audio counters of the remote audio track (inbound-rtp). */
  const audioIn = (page: Page): Promise<AudioIn | null> =>
    page.evaluate(async () => {
      for (const c of window.__call?.consumers.values() ?? []) {
        if (c.kind !== 'audio') continue;
        let row: AudioIn | null = null;
        (await c.getStats()).forEach((s) => {
          if (s.type === 'inbound-rtp') {
            row = {
              concealed: Number(s.concealedSamples ?? 0),
              silentConcealed: Number(s.silentConcealedSamples ?? 0),
              total: Number(s.totalSamplesReceived ?? 0),
              packetsLost: Number(s.packetsLost ?? 0),
              packetsReceived: Number(s.packetsReceived ?? 0),
            };
          }
        });
        return row;
      }
      return null;
    });
  /**
   * Concealment over an interval: all of it (`concealed`), and the part that was heard (`audible`: without the samples
   * Chromium counts as "silent concealed", i.e. silence made up where the sender sent nothing under DTX or a loss fell
   * in a silence). The fake microphone is silent between its beeps, so on an open link without any loss `concealed`
   * reads 4-5 % (bench:weak-link's baseline): the goal "under 5 %" is about what the listener hears.
   */
  const concealment = (a: AudioIn, b: AudioIn) => {
    const total = b.total - a.total;
    return { concealed: total > 0 ? (b.concealed - a.concealed) / total : 1, audible: total > 0 ? (b.concealed - b.silentConcealed - (a.concealed - a.silentConcealed)) / total : 1, seconds: total / 48_000 };
  };
  /**
   * Video the page's camera producer has sent (all simulcast encodings): bytes of new video, without retransmissions.
   * Once the encodings are off the browser still answers the SFU's NACKs for what the overflowing queue dropped, for
   * a few seconds (measured: frames stop 0.3 s after the server's step-down, retransmissions 4.5 s after); those are
   * repairs of video sent before the drop, not video being sent. An attempt to stop them too (the transceiver paused,
   * `zeroRtpOnPause`) made the SFU read 15-25 % loss on the resumed stream and failed every probe on a link back at
   * full speed, so video did not come back.
   */
  const videoSent = (page: Page): Promise<number> =>
    page.evaluate(async () => {
      const cam = window.__call?.producers.get('camera');
      if (!cam) return 0;
      let n = 0;
      (await cam.getStats()).forEach((s) => {
        if (s.type === 'outbound-rtp') n += Number(s.bytesSent ?? 0) - Number(s.retransmittedBytesSent ?? 0);
      });
      return n;
    });
  /** Frames decoded of the remote camera. */
  const framesIn = (page: Page): Promise<number> =>
    page.evaluate(async () => {
      let n = 0;
      for (const c of window.__call?.consumers.values() ?? []) {
        if (c.kind !== 'video') continue;
        (await c.getStats()).forEach((s) => {
          if (s.type === 'inbound-rtp') n += Number(s.framesDecoded ?? 0);
        });
      }
      return n;
    });
  /** The server's side of each level change, with the estimate and loss that caused it. */
  function watchServer(page: Page) {
    const sessionId = new URL(page.url()).pathname.split('/').pop()!;
    const log: unknown[] = [];
    const room = web.hub.app.get(MediaService).getRoom(sessionId)!;
    room.on('peerQuality', (e) => log.push({ t: Date.now(), dir: 'down', peer: e.peerId.slice(0, 6), level: e.level, kbps: Math.round((e.stats.availableOutgoingBitrate ?? 0) / 1000), loss: e.stats.packetLoss }));
    room.on('peerUplink', (e) => log.push({ t: Date.now(), dir: 'up', peer: e.peerId.slice(0, 6), level: e.level, probing: e.probing, kbps: Math.round((e.stats.availableBitrate ?? 0) / 1000), loss: e.stats.packetLoss }));
    return log;
  }
  const stateLog = (page: Page) => page.evaluate(() => window.__log ?? []);

  it("officer's uplink at 48 kbit/s: video stops within 5 s, the doctor's audio stays clear, both told; back within 20 s", async () => {
    const { officer, doctor } = await call(cases[0], false);
    const serverLog = watchServer(officer.page);
    // video flows both ways first
    await waitFor(async () => {
      const a = await framesIn(doctor.page);
      await doctor.page.waitForTimeout(1000);
      return (await framesIn(doctor.page)) > a && a > 0;
    }, 30_000, "the officer's video at the doctor");
    await officer.page.waitForTimeout(4000);

    // what the server sees of the officer's uplink every half second from the drop on (for the log)
    const room = web.hub.app.get(MediaService).getRoom(new URL(officer.page.url()).pathname.split('/').pop()!)!;
    const uplinkSeen: unknown[] = [];
    const limitedAt = Date.now();
    const poll = setInterval(() => {
      for (const peer of room.peers.values()) {
        void peer.getUplinkStats().then((u) => u.sendsVideo && uplinkSeen.push({ peer: peer.id.slice(0, 6), ms: Date.now() - limitedAt, loss: Math.round(u.packetLoss * 100), recvKbps: Math.round(u.recvBitrate / 1000), estimateKbps: u.availableBitrate && Math.round(u.availableBitrate / 1000) }));
      }
    }, 500);
    // and every second until the end: the officer's uplink level, probe, loss and the browser's estimate
    const officerId = await officer.page.evaluate(() => window.__call!.getState().participantId);
    const officerPeer = [...room.peers.values()].find((p) => p.id === officerId) ?? [...room.peers.values()][0];
    const trace: unknown[] = [];
    const tracing = setInterval(() => {
      void officerPeer.getUplinkStats().then((u) => trace.push({ s: Math.round((Date.now() - limitedAt) / 100) / 10, level: officerPeer.uplink.level, probing: officerPeer.uplink.probing, loss: Math.round(u.packetLoss * 100), recvKbps: Math.round(u.recvBitrate / 1000), estimateKbps: u.availableBitrate && Math.round(u.availableBitrate / 1000) }));
    }, 1000);
    officer.relay.set('up', { rateKbps: 48, queueMs: 500 });
    // the officer's browser stops sending video: no camera bytes for a whole second (by the clock: under load a
    // poll can take longer than that), timed from the last sample that still saw bytes grow
    let stoppedAt = 0;
    let prev = await videoSent(officer.page);
    let prevAt = Date.now();
    while (Date.now() - limitedAt < 15_000) {
      await officer.page.waitForTimeout(250);
      const now = await videoSent(officer.page);
      if (now !== prev) {
        prev = now;
        prevAt = Date.now();
      } else if (Date.now() - prevAt >= 1000) {
        stoppedAt = prevAt;
        break;
      }
    }
    clearInterval(poll);
    expect(stoppedAt).toBeGreaterThan(0);
    const stepDown = stoppedAt - limitedAt;
    const serverDown = (serverLog as { t: number; dir: string }[]).find((e) => e.dir === 'up' && e.t > limitedAt);
    console.log(JSON.stringify({ uplinkSeen, serverStepDownMs: serverDown ? serverDown.t - limitedAt : null, videoStoppedMs: stepDown }));
    // both are told
    await officer.page.getByTestId('uplink-banner').waitFor({ timeout: 5_000 });
    await doctor.page.getByTestId('remote-uplink-banner').waitFor({ timeout: 5_000 });
    expect(await doctor.page.getByTestId('tile-remote').locator('video').count()).toBe(0);

    // the doctor hears the officer: concealment over the next 20 s on the weak link
    const a = (await audioIn(doctor.page))!;
    await doctor.page.waitForTimeout(20_000);
    const b = (await audioIn(doctor.page))!;
    const heard = concealment(a, b);
    const up = (await officer.relay.counters()).up;

    const restoredAt = Date.now();
    officer.relay.set('up', { rateKbps: 0 });
    await waitFor(async () => (await doctor.page.getByTestId('remote-uplink-banner').count()) === 0, 25_000, 'the doctor told the video is back').catch(async (e) => {
      clearInterval(tracing);
      console.log(JSON.stringify({ test: 'uplink 48 kbit/s (failed)', stepDown, heard, restoredAt, serverLog, officerLog: await stateLog(officer.page), restoredAtS: (restoredAt - limitedAt) / 1000, trace }));
      throw e;
    });
    await waitFor(async () => {
      const f = await framesIn(doctor.page);
      await doctor.page.waitForTimeout(500);
      return (await framesIn(doctor.page)) > f;
    }, 25_000, "the officer's video decoded again");
    const recovery = Date.now() - restoredAt;
    await officer.page.getByTestId('uplink-banner').waitFor({ state: 'detached', timeout: 5_000 });

    clearInterval(tracing);
    console.log(JSON.stringify({ test: 'uplink 48 kbit/s', stepDownMs: stepDown, concealment: heard, recoveryMs: recovery, relayUp: up, serverLog, officerLog: await stateLog(officer.page), restoredAtS: (restoredAt - limitedAt) / 1000, trace }));
    expect(stepDown).toBeLessThanOrEqual(5_000);
    expect(heard.seconds).toBeGreaterThan(15);
    expect(heard.audible).toBeLessThan(0.05);
    expect(recovery).toBeLessThanOrEqual(20_000);
  });

  it('audio-only call at 24 kbit/s each way, 300 ms one-way delay, 2 % loss for 60 s: heard concealment under 5 %, no ICE restart', async () => {
    const shape = { rateKbps: 24, queueMs: 500, delayMs: 300, loss: 0.02 };
    const { officer, doctor } = await call(cases[1], true);
    // each page receives the other's audio before the links turn weak (the call is up)
    await waitFor(async () => !!(await audioIn(officer.page))?.total && !!(await audioIn(doctor.page))?.total, 30_000, 'audio both ways').catch(async (e) => {
      console.log(JSON.stringify({ test: 'audio-only 24 kbit/s (no audio)', officerLog: await stateLog(officer.page), doctorLog: await stateLog(doctor.page), officerIn: await audioIn(officer.page), doctorIn: await audioIn(doctor.page) }));
      throw e;
    });
    for (const r of [officer.relay, doctor.relay]) r.set('both', shape);
    // audio through the weak links: settle 5 s, then 60 s measured
    await doctor.page.waitForTimeout(5_000);
    const logFrom = Date.now();
    const [oa, da] = [(await audioIn(officer.page))!, (await audioIn(doctor.page))!];
    const c0 = { o: await officer.relay.counters(), d: await doctor.relay.counters() };
    await doctor.page.waitForTimeout(60_000);
    const [ob, db] = [(await audioIn(officer.page))!, (await audioIn(doctor.page))!];
    const c1 = { o: await officer.relay.counters(), d: await doctor.relay.counters() };
    const atDoctor = concealment(da, db);
    const atOfficer = concealment(oa, ob);
    const kbps = (x: number, y: number) => Math.round(((y - x) * 8) / 60) / 1000;
    const sent = { officer: kbps(c0.o.up.bytes, c1.o.up.bytes), doctor: kbps(c0.d.up.bytes, c1.d.up.bytes) };
    // what each link carried, by kind of packet (RTP by payload type and ssrc, RTCP, STUN, DTLS), over the 60 s
    const kinds = (a: DirectionCounters, b: DirectionCounters) =>
      Object.fromEntries(
        Object.entries(b.kinds).map(([k, v]) => {
          const was = a.kinds[k] ?? { packets: 0, bytes: 0, large: 0 };
          return [k, { packets: v.packets - was.packets, kbps: kbps(was.bytes, v.bytes), avg: Math.round((v.bytes - was.bytes) / Math.max(1, v.packets - was.packets)), large: v.large - was.large }];
        }),
      );
    const restarts = [...(await stateLog(officer.page)), ...(await stateLog(doctor.page))].filter((r) => r.t >= logFrom && r.phase === 'reconnecting');
    console.log(JSON.stringify({
      test: 'audio-only 24 kbit/s', atDoctor, atOfficer, sentKbps: sent,
      queueDrops: { officerUp: c1.o.up.droppedQueue - c0.o.up.droppedQueue, officerDown: c1.o.down.droppedQueue - c0.o.down.droppedQueue, doctorUp: c1.d.up.droppedQueue - c0.d.up.droppedQueue, doctorDown: c1.d.down.droppedQueue - c0.d.down.droppedQueue },
      kinds: { officerUp: kinds(c0.o.up, c1.o.up), officerDown: kinds(c0.o.down, c1.o.down), doctorUp: kinds(c0.d.up, c1.d.up), doctorDown: kinds(c0.d.down, c1.d.down) },
      restarts,
    }));
    expect(atDoctor.seconds).toBeGreaterThan(50);
    expect(atOfficer.seconds).toBeGreaterThan(50);
    expect(atDoctor.audible).toBeLessThan(0.05);
    expect(atOfficer.audible).toBeLessThan(0.05);
    expect(restarts).toEqual([]);
  });

  it('a steady 150 kbit/s link settles on one level (at most one change in 60 s once settled)', async () => {
    const { officer, doctor } = await call(cases[2], false);
    // the server's side of each change, with the estimate and loss that caused it
    const serverLog = watchServer(officer.page);
    officer.relay.set('both', { rateKbps: 150, queueMs: 500 });
    await officer.page.waitForTimeout(25_000);
    const from = Date.now();
    await officer.page.waitForTimeout(60_000);
    const log = (await stateLog(officer.page)).filter((r) => r.phase === 'in-call');
    const before = log.filter((r) => r.t < from).pop()!;
    const after = log.filter((r) => r.t >= from);
    const changes = (key: 'quality' | 'uplink') => {
      let last = before[key];
      let n = 0;
      for (const r of after) if (r[key] !== last) {
        n++;
        last = r[key];
      }
      return n;
    };
    const doctorSees = (await doctor.page.evaluate(() => window.__log ?? [])).length;
    console.log(JSON.stringify({ test: 'steady 150 kbit/s', settled: before, downlinkChanges: changes('quality'), uplinkChanges: changes('uplink'), log, doctorLogRows: doctorSees, serverLog }));
    expect(changes('quality')).toBeLessThanOrEqual(1);
    expect(changes('uplink')).toBeLessThanOrEqual(1);
  });
});
