import { execFileSync, spawn } from 'node:child_process';
import { createHash, createHmac, randomBytes } from 'node:crypto';
import { existsSync, readFileSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { MetadataScanner } from '@nestjs/core';
import { io, Socket } from 'socket.io-client';
import { Ack, AdmittedPayload, CONSULTATION_CLIENT_EVENTS, JoinResult } from '@hub/contracts';
import { ConsultationsGateway, RECORDING_QUIET_MS, RecordingsService, SIGNALLING_POLICY } from '@hub/consultations';
import { freePort } from '@hub/database';
import { MediaService } from '@hub/media';
import { bearer, createTestHub, TestHub, waitFor } from '@hub/testing';

/**
 * Live consultations end to end: real PostgreSQL, the real mediasoup worker (via @hub/media), socket.io clients
 * speaking the /consultations protocol. No browser here (see the web call tests); media objects are created
 * through the same events a browser sends, and server-side RTP producers come from real PlainTransports.
 */
const TURN_SECRET = 'turn-shared-secret-for-tests';
const OFFICER = 'officer@minusca.demo';
const DOCTOR = 'doctor@minusca.demo';

describe('live consultations', () => {
  let hub: TestHub;
  let url: string;
  const sockets: Socket[] = [];

  beforeAll(async () => {
    hub = await createTestHub({ TURN_SECRET, TURN_URLS: 'turn:turn.test.example:3478?transport=udp,turns:turn.test.example:5349', TURN_TTL_SECONDS: '600' });
    const port = await freePort();
    await hub.app.listen(port, '127.0.0.1');
    url = `http://127.0.0.1:${port}`;
    expect(hub.app.get(MediaService).available).toBe(true);
  });
  afterAll(async () => {
    for (const s of sockets) s.close();
    await hub.close();
  });

  const connect = async (email: string): Promise<Socket> => {
    const { accessToken } = await hub.login(email);
    const s = io(`${url}/consultations`, { path: '/socket.io', transports: ['websocket'], auth: { token: accessToken }, reconnection: false, forceNew: true });
    sockets.push(s);
    await new Promise<void>((resolve, reject) => {
      s.once('connect', () => resolve());
      s.once('connect_error', reject);
    });
    return s;
  };
  const call = <T = unknown>(s: Socket, event: string, payload: object = {}): Promise<Ack<T>> =>
    new Promise((resolve) => s.emit(event, payload, (ack: Ack<T>) => resolve(ack)));
  const ok = async <T = unknown>(s: Socket, event: string, payload: object = {}): Promise<T> => {
    const ack = await call<T>(s, event, payload);
    if (!ack.ok) throw new Error(`${event}: ${JSON.stringify(ack.error)}`);
    return ack.data;
  };
  const next = <T = unknown>(s: Socket, event: string, timeoutMs = 10_000): Promise<T> =>
    new Promise((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`no ${event} within ${timeoutMs} ms`)), timeoutMs);
      s.once(event, (payload: T) => {
        clearTimeout(t);
        resolve(payload);
      });
    });

  /** An accepted dermatology case of the Bangui clinic, assigned to the MINUSCA reference doctor. */
  const acceptedCase = async (): Promise<string> => {
    const ds = hub.db.dataSource;
    const [p] = await ds.query(
      `INSERT INTO patients (mission_id, service_number, first_name, last_name, date_of_birth, sex, nationality, contingent, current_facility_id, created_by_id)
       VALUES ($1, gen_random_uuid()::text, 'Test', 'Patient', '1990-01-01', 'male', 'RWA', 'X', $2, $3) RETURNING id`,
      [hub.ids.missions.MINUSCA, hub.ids.facilities['Bangui Level 1 Clinic (BANBAT)'], hub.ids.users[OFFICER]],
    );
    const [c] = await ds.query(
      `INSERT INTO referral_cases (mission_id, patient_id, facility_id, requested_by_id, specialty_code, urgency, urgency_rank, status,
         consent_given, presenting_complaint, question, submitted_at, deadline_at, accepted_at, assigned_doctor_id)
       VALUES ($1, $2, $3, $4, 'dermatology', 'urgent', 1, 'accepted', true, 'Rash', 'What is it?', now(), now() + interval '1 day', now(), $5) RETURNING id`,
      [hub.ids.missions.MINUSCA, p.id, hub.ids.facilities['Bangui Level 1 Clinic (BANBAT)'], hub.ids.users[OFFICER], hub.ids.users[DOCTOR]],
    );
    return c.id;
  };

  const newSession = async (caseId: string): Promise<string> => {
    const res = await hub.http().post('/api/consultations').set(bearer(await hub.login(OFFICER))).send({ caseId }).expect(201);
    expect(res.body).toMatchObject({ caseId, status: 'waiting', hostId: hub.ids.users[DOCTOR], isHost: false, canJoin: true });
    return res.body.id;
  };

  /** Officer waits, doctor joins and admits: both in the call. */
  const startCall = async (sessionId: string) => {
    const officer = await connect(OFFICER);
    const doctor = await connect(DOCTOR);
    const waiting = await ok<JoinResult>(officer, 'join', { sessionId });
    expect(waiting.status).toBe('waiting');
    const hostJoin = await ok<JoinResult>(doctor, 'join', { sessionId });
    expect(hostJoin).toMatchObject({ status: 'admitted', callRole: 'host' });
    const admitted = next<AdmittedPayload>(officer, 'admitted');
    await ok(doctor, 'admit', { participantId: waiting.participantId });
    const payload = await admitted;
    return { officer, doctor, officerParticipant: waiting.participantId, doctorJoin: hostJoin as AdmittedPayload, officerAdmitted: payload };
  };

  /**
   * A real producer made through the signalling events a browser sends (send transport + produce with Opus RTP
   * parameters); mediasoup creates it without waiting for ICE/DTLS, which is all these checks need.
   */
  const produceAudio = async (s: Socket, ssrc: number): Promise<string> => {
    const send = await ok<{ id: string }>(s, 'createTransport', { direction: 'send' });
    const { producerId } = await ok<{ producerId: string }>(s, 'produce', {
      transportId: send.id,
      kind: 'audio',
      source: 'mic',
      rtpParameters: {
        mid: '0',
        codecs: [{ mimeType: 'audio/opus', payloadType: 111, clockRate: 48000, channels: 2, parameters: { useinbandfec: 1 }, rtcpFeedback: [] }],
        headerExtensions: [],
        encodings: [{ ssrc }],
        rtcp: { cname: `c${ssrc}`, reducedSize: true },
      },
    });
    return producerId;
  };

  it('declares a policy for every signalling event, and nothing else is served', async () => {
    const gateway = hub.app.get(ConsultationsGateway);
    const proto = Object.getPrototypeOf(gateway);
    const scanner = hub.app.get(MetadataScanner);
    const handled = scanner
      .getAllMethodNames(proto)
      .filter((m) => Reflect.getMetadata('message', proto[m]) !== undefined)
      .map((m) => ({ event: Reflect.getMetadata('message', proto[m]) as string, policy: Reflect.getMetadata(SIGNALLING_POLICY, proto[m]) }));
    expect(handled.filter((h) => !h.policy).map((h) => h.event)).toEqual([]);
    expect(handled.map((h) => h.event).sort()).toEqual([...CONSULTATION_CLIENT_EVENTS].sort());

    const s = await connect(OFFICER);
    expect(await call(s, 'debugDump', {})).toEqual({ ok: false, error: { code: 'FORBIDDEN', message: 'Event debugDump is not allowed' } });
  });

  it('refuses a handshake without a valid token', async () => {
    const s = io(`${url}/consultations`, { path: '/socket.io', transports: ['websocket'], auth: { token: 'forged.token.value' }, reconnection: false, forceNew: true });
    sockets.push(s);
    const err = await new Promise<Error>((resolve) => s.once('connect_error', resolve));
    expect(err.message).toMatch(/^UNAUTHENTICATED/);
  });

  it('officer waits, doctor admits, both get transports; chat goes to the case thread', async () => {
    const caseId = await acceptedCase();
    const sessionId = await newSession(caseId);
    const officer = await connect(OFFICER);
    const doctor = await connect(DOCTOR);

    const waitingEvent = next<{ participantId: string }>(officer, 'waiting');
    const waiting = await ok<JoinResult>(officer, 'join', { sessionId });
    expect(waiting).toMatchObject({ status: 'waiting', sessionId });
    expect((await waitingEvent).participantId).toBe(waiting.participantId);
    // waiting participants cannot touch media
    expect(await call(officer, 'createTransport', { direction: 'send' })).toMatchObject({ ok: false, error: { code: 'NOT_ADMITTED' } });

    // the host is not in the call yet: told by a notification
    const notes = await hub.http().get('/api/notifications').set(bearer(await hub.login(DOCTOR))).expect(200);
    expect(notes.body).toEqual(expect.arrayContaining([expect.objectContaining({ kind: 'consultation.waiting', caseId, text: expect.stringMatching(/^Dr. Field Officer \(MINUSCA\) is waiting in the consultation about C-/) })]));

    const hostJoin = await ok<AdmittedPayload & { status: string }>(doctor, 'join', { sessionId });
    expect(hostJoin.status).toBe('admitted');
    expect(hostJoin.routerRtpCapabilities.codecs!.map((c) => c.mimeType)).toEqual(expect.arrayContaining(['audio/opus', 'video/VP8']));
    expect(hostJoin.participants).toEqual(expect.arrayContaining([expect.objectContaining({ id: waiting.participantId, state: 'waiting', callRole: 'clinic' })]));

    // only the host admits
    expect(await call(officer, 'admit', { participantId: waiting.participantId })).toMatchObject({ ok: false });
    const admitted = next<AdmittedPayload>(officer, 'admitted');
    const joinedSeen = next(doctor, 'participantJoined');
    const view = await ok(doctor, 'admit', { participantId: waiting.participantId });
    expect(view).toMatchObject({ id: waiting.participantId, state: 'admitted' });
    const payload = await admitted;
    expect(payload.routerRtpCapabilities.codecs!.length).toBeGreaterThan(0);
    expect(payload.iceServers[0].urls).toContain('turn:turn.test.example:3478?transport=udp');
    await joinedSeen;

    for (const s of [officer, doctor]) {
      for (const direction of ['send', 'recv']) {
        const t = await ok<{ id: string; iceParameters: { usernameFragment: string }; iceCandidates: unknown[]; dtlsParameters: { fingerprints: unknown[] } }>(s, 'createTransport', { direction });
        expect(t.iceParameters.usernameFragment).toBeTruthy();
        expect(t.iceCandidates.length).toBeGreaterThan(0);
        expect(t.dtlsParameters.fingerprints.length).toBeGreaterThan(0);
      }
    }

    // payloads are validated and name their fields
    const bad = await call(officer, 'produce', { transportId: 'nope', kind: 'smell', rtpParameters: 3, source: 'camera', extra: 1 });
    expect(bad).toMatchObject({ ok: false, error: { code: 'VALIDATION_FAILED' } });
    const fields = (bad as { error: { fields: { field: string }[] } }).error.fields.map((f) => f.field).sort();
    expect(fields).toEqual(['extra', 'kind', 'rtpParameters', 'transportId']);

    const chatSeen = next<{ body: string }>(doctor, 'chat');
    const message = await ok<{ id: string; caseId: string }>(officer, 'chat', { body: 'Patient is ready for the camera' });
    expect((await chatSeen).body).toBe('Patient is ready for the camera');
    const [row] = await hub.db.dataSource.query('SELECT kind, body, author_id FROM case_messages WHERE id = $1', [message.id]);
    expect(row).toEqual({ kind: 'consultation_chat', body: 'Patient is ready for the camera', author_id: hub.ids.users[OFFICER] });

    const audit = await hub.db.dataSource.query(`SELECT action FROM audit_entries WHERE subject_id = $1 ORDER BY id`, [sessionId]);
    expect(audit.map((a: { action: string }) => a.action)).toEqual(['consultation.create', 'consultation.join', 'consultation.start', 'consultation.join', 'consultation.admit']);
  });

  it('joins in one answer: capabilities on connect, both transports and server-made consumers in the join, newConsumer for later producers', async () => {
    const sessionId = await newSession(await acceptedCase());
    // the hello comes with the connection: listen before connecting
    const helloOf = async (email: string) => {
      const { accessToken } = await hub.login(email);
      const s = io(`${url}/consultations`, { path: '/socket.io', transports: ['websocket'], auth: { token: accessToken }, reconnection: false, forceNew: true });
      sockets.push(s);
      const hello = next<{ routerRtpCapabilities: { codecs: { mimeType: string }[] } }>(s, 'hello');
      return { s, hello: await hello };
    };
    const { s: doctor, hello } = await helloOf(DOCTOR);
    expect(hello.routerRtpCapabilities.codecs.map((c) => c.mimeType)).toEqual(expect.arrayContaining(['audio/opus', 'video/VP8']));
    const rtpCapabilities = hello.routerRtpCapabilities;

    // malformed capabilities are refused naming the field
    const bad = await call(doctor, 'join', { sessionId, rtpCapabilities: { codecs: 'opus' } });
    expect(bad).toMatchObject({ ok: false, error: { code: 'VALIDATION_FAILED', fields: [{ field: 'rtpCapabilities.codecs' }] } });

    const joined = await ok<AdmittedPayload & { status: string }>(doctor, 'join', { sessionId, rtpCapabilities });
    expect(joined.status).toBe('admitted');
    expect(joined.transports.send.id).not.toBe(joined.transports.recv.id);
    expect(joined.transports.recv.dtlsParameters.fingerprints.length).toBeGreaterThan(0);
    expect(joined.consumers).toEqual([]);

    // the officer (no capabilities at join: the old way) produces; the doctor gets a consumer without asking
    const officer = await connect(OFFICER);
    const waiting = await ok<JoinResult>(officer, 'join', { sessionId });
    const admitted = next<AdmittedPayload>(officer, 'admitted');
    await ok(doctor, 'admit', { participantId: waiting.participantId });
    expect((await admitted).consumers).toEqual([]);
    const pushed = next<{ id: string; producerId: string; transportId: string; resumesOnConnect: boolean; kind: string; participantId: string }>(doctor, 'newConsumer');
    const producerId = await produceAudio(officer, 3333);
    expect(await pushed).toMatchObject({ producerId, transportId: joined.transports.recv.id, resumesOnConnect: true, kind: 'audio', participantId: waiting.participantId });
    // paused until the doctor's receive transport completes DTLS (it never does here)
    const media = hub.app.get(MediaService);
    const doctorPeer = media.getRoom(sessionId)!.getPeer(joined.participantId)!;
    expect([...doctorPeer.consumers.values()].map((c) => [c.consumer.producerId, c.consumer.paused])).toEqual([[producerId, true]]);

    // a new socket of the doctor (page reload) gets the consumer of the existing producer in its join answer
    const { s: again } = await helloOf(DOCTOR);
    const rejoined = await ok<AdmittedPayload & { status: string }>(again, 'join', { sessionId, rtpCapabilities });
    expect(rejoined.consumers).toEqual([expect.objectContaining({ producerId, transportId: rejoined.transports.recv.id, resumesOnConnect: true })]);
    // the consumer is this peer's: resumeConsumer works for it, another socket's id is not found
    await ok(again, 'resumeConsumer', { consumerId: rejoined.consumers[0].id });
    expect(await call(officer, 'resumeConsumer', { consumerId: rejoined.consumers[0].id })).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
  });

  it('refuses people without a right at join: same mission forbidden, another mission not found', async () => {
    const sessionId = await newSession(await acceptedCase());
    const trainer = await connect('trainer@minusca.demo');
    expect(await call(trainer, 'join', { sessionId })).toMatchObject({ ok: false, error: { code: 'FORBIDDEN', message: expect.stringMatching(/not part of this consultation/) } });
    const otherOfficer = await connect('officer@unmiss.demo');
    expect(await call(otherOfficer, 'join', { sessionId })).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
    // a manager reads the case but is not in the call
    const manager = await connect('manager@minusca.demo');
    expect(await call(manager, 'join', { sessionId })).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    // and the denials are audited
    const [{ n }] = await hub.db.dataSource.query(`SELECT count(*)::int AS n FROM audit_entries WHERE subject_id = $1 AND action = 'consultation.join' AND outcome = 'denied'`, [sessionId]);
    expect(n).toBe(3);
  });

  it('refuses to consume a producer of another room, and consumes one of its own room', async () => {
    const a = await startCall(await newSession(await acceptedCase()));
    const b = await startCall(await newSession(await acceptedCase()));
    const foreignSeen = next<{ producerId: string }>(b.officer, 'newProducer');
    const foreign = { id: await produceAudio(b.doctor, 2222) };
    expect((await foreignSeen).producerId).toBe(foreign.id);

    const recv = await ok<{ id: string }>(a.officer, 'createTransport', { direction: 'recv' });
    const rtpCapabilities = a.officerAdmitted.routerRtpCapabilities;
    const refused = await call(a.officer, 'consume', { transportId: recv.id, producerId: foreign.id, rtpCapabilities });
    expect(refused).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });

    // a transport id of another peer is not found either
    const doctorRecv = await ok<{ id: string }>(a.doctor, 'createTransport', { direction: 'recv' });
    const own = { id: await produceAudio(a.doctor, 1111) };
    expect(await call(a.officer, 'consume', { transportId: doctorRecv.id, producerId: own.id, rtpCapabilities })).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
    const consumer = await ok<{ id: string; producerId: string; participantId: string; kind: string }>(a.officer, 'consume', { transportId: recv.id, producerId: own.id, rtpCapabilities });
    expect(consumer).toMatchObject({ producerId: own.id, participantId: a.doctorJoin.participantId, kind: 'audio' });
    await ok(a.officer, 'resumeConsumer', { consumerId: consumer.id });
    // the other room's consumer id is not this peer's
    expect(await call(b.officer, 'resumeConsumer', { consumerId: consumer.id })).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
    // nor can a peer close another's producer
    expect(await call(a.officer, 'closeProducer', { producerId: own.id })).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
  });

  it('puts a dropped officer back into the call without re-admission', async () => {
    const sessionId = await newSession(await acceptedCase());
    const { officer, doctor, officerParticipant } = await startCall(sessionId);
    await ok(officer, 'createTransport', { direction: 'send' });
    const left = next<{ participantId: string; reason: string }>(doctor, 'participantLeft');
    officer.disconnect();
    expect(await left).toMatchObject({ participantId: officerParticipant, reason: 'disconnected' });

    const again = await connect(OFFICER);
    const back = next(doctor, 'participantJoined');
    const rejoin = await ok<JoinResult>(again, 'join', { sessionId });
    expect(rejoin).toMatchObject({ status: 'admitted', participantId: officerParticipant });
    await back;
    await ok(again, 'createTransport', { direction: 'send' });
    const [p] = await hub.db.dataSource.query('SELECT state, reconnect_count FROM consultation_participants WHERE id = $1', [officerParticipant]);
    expect(p).toEqual({ state: 'admitted', reconnect_count: 1 });
  });

  it('resets media when the worker dies; clients rebuild transports without re-admission', async () => {
    const sessionId = await newSession(await acceptedCase());
    const { officer, doctor } = await startCall(sessionId);
    const media = hub.app.get(MediaService);
    const pid = media.getRoom(sessionId)!.workerPid;
    const resets = [next<AdmittedPayload>(officer, 'mediaReset', 20_000), next<AdmittedPayload>(doctor, 'mediaReset', 20_000)];
    process.kill(pid, 'SIGKILL');
    const [o] = await Promise.all(resets);
    expect(o.routerRtpCapabilities.codecs!.length).toBeGreaterThan(0);
    expect(media.getRoom(sessionId)!.workerPid).not.toBe(pid);
    await ok(officer, 'createTransport', { direction: 'send' });
    await ok(doctor, 'createTransport', { direction: 'recv' });
  }, 60_000);

  it('lets an invitee wait with a valid invitation, refuses an expired one, validates the request', async () => {
    const sessionId = await newSession(await acceptedCase());
    const doctorAuth = bearer(await hub.login(DOCTOR));
    const badInvite = await hub.http().post(`/api/consultations/${sessionId}/invitations`).set(doctorAuth).send({ callRole: 'pilot', expiresInMinutes: 2 }).expect(400);
    expect(badInvite.body.fields.map((f: { field: string }) => f.field).sort()).toEqual(['callRole', 'expiresInMinutes']);
    await hub.http().post(`/api/consultations/${sessionId}/invitations`).set(bearer(await hub.login(OFFICER))).send({ callRole: 'interpreter' }).expect(403);

    const inv = await hub.http().post(`/api/consultations/${sessionId}/invitations`).set(doctorAuth).send({ callRole: 'interpreter', expiresInMinutes: 30 }).expect(201);
    expect(inv.body.token).toMatch(/^[A-Za-z0-9_-]{32}$/);
    const [stored] = await hub.db.dataSource.query('SELECT token_hash FROM consultation_invitations WHERE id = $1', [inv.body.id]);
    expect(stored.token_hash).not.toContain(inv.body.token);

    const interpreter = await connect('trainer@minusca.demo');
    const waiting = await ok<JoinResult>(interpreter, 'join', { sessionId, invitationToken: inv.body.token });
    expect(waiting).toMatchObject({ status: 'waiting' });
    // the token is now bound to its first user
    const someoneElse = await connect('manager@minusca.demo');
    expect(await call(someoneElse, 'join', { sessionId, invitationToken: inv.body.token })).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });

    const expiring = await hub.http().post(`/api/consultations/${sessionId}/invitations`).set(doctorAuth).send({ callRole: 'specialist' }).expect(201);
    await hub.db.dataSource.query(`UPDATE consultation_invitations SET expires_at = now() - interval '1 second' WHERE id = $1`, [expiring.body.id]);
    expect(await call(someoneElse, 'join', { sessionId, invitationToken: expiring.body.token })).toMatchObject({ ok: false, error: { code: 'INVITATION_EXPIRED' } });
    const [{ n }] = await hub.db.dataSource.query(`SELECT count(*)::int AS n FROM audit_entries WHERE subject_id = $1 AND action = 'consultation.invite'`, [sessionId]);
    expect(n).toBe(2);
  });

  it('schedules a session without a case: the doctor hosts, a named invitee joins without a token', async () => {
    const doctorAuth = bearer(await hub.login(DOCTOR));
    const when = new Date(Date.now() + 3600_000).toISOString();
    await hub.http().post('/api/consultations').set(doctorAuth).send({ missionId: hub.ids.missions.MINUSCA }).expect(400);
    await hub.http().post('/api/consultations').set(bearer(await hub.login(OFFICER))).send({ missionId: hub.ids.missions.MINUSCA, scheduledAt: when }).expect(403);
    await hub.http().post('/api/consultations').set(doctorAuth).send({ missionId: hub.ids.missions.UNMISS, scheduledAt: when }).expect(404);
    const created = await hub.http().post('/api/consultations').set(doctorAuth).send({ missionId: hub.ids.missions.MINUSCA, scheduledAt: when, title: 'Mental-health follow-up' }).expect(201);
    expect(created.body).toMatchObject({ caseId: null, scheduledAt: when, hostId: hub.ids.users[DOCTOR], isHost: true, status: 'waiting' });
    const sessionId = created.body.id;
    await hub.http().post(`/api/consultations/${sessionId}/invitations`).set(doctorAuth).send({ callRole: 'interpreter', userId: hub.ids.users['manager@minusca.demo'] }).expect(201);

    // the named invitee sees it in their list and joins without a token; the officer (no case, no invitation) cannot
    const mine = await hub.http().get('/api/consultations').set(bearer(await hub.login('manager@minusca.demo'))).expect(200);
    expect(mine.body.map((x: { id: string }) => x.id)).toContain(sessionId);
    const officer = await connect(OFFICER);
    expect(await call(officer, 'join', { sessionId })).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    const interpreter = await connect('manager@minusca.demo');
    const waiting = await ok<JoinResult>(interpreter, 'join', { sessionId });
    expect(waiting).toMatchObject({ status: 'waiting' });
    const doctor = await connect(DOCTOR);
    const seen = next<{ id: string; callRole: string }>(doctor, 'participantWaiting');
    await ok(doctor, 'join', { sessionId });
    await ok(interpreter, 'leave');
    const again = await ok<JoinResult>(interpreter, 'join', { sessionId });
    expect((await seen)).toMatchObject({ id: again.participantId, callRole: 'interpreter' });
    const admitted = next<AdmittedPayload>(interpreter, 'admitted');
    await ok(doctor, 'admit', { participantId: again.participantId });
    expect((await admitted).callRole).toBe('interpreter');
    // chat without a case is relayed, not stored in any thread
    const message = await ok<{ caseId: string | null; id: string }>(interpreter, 'chat', { body: 'Bonjour' });
    expect(message.caseId).toBeNull();
    const [{ n }] = await hub.db.dataSource.query(`SELECT count(*)::int AS n FROM case_messages WHERE body = 'Bonjour'`);
    expect(n).toBe(0);

    // the last one out frees the media room; the next join opens a new one
    const media = hub.app.get(MediaService);
    const gone = next(doctor, 'participantLeft');
    interpreter.disconnect();
    await gone;
    expect(media.getRoom(sessionId)).toBeDefined();
    await ok(doctor, 'leave');
    expect(media.getRoom(sessionId)).toBeUndefined();
    expect(await ok<JoinResult>(doctor, 'join', { sessionId })).toMatchObject({ status: 'admitted' });
    expect(media.getRoom(sessionId)).toBeDefined();
  });

  it('hands TURN credentials only to admitted participants, signed with the shared secret', async () => {
    const sessionId = await newSession(await acceptedCase());
    const officerAuth = bearer(await hub.login(OFFICER));
    // not joined yet: not admitted
    await hub.http().get(`/api/consultations/${sessionId}/turn-credentials`).set(officerAuth).expect(403);
    await hub.http().get(`/api/consultations/${sessionId}/turn-credentials`).set(bearer(await hub.login('officer@unmiss.demo'))).expect(404);
    const officer = await connect(OFFICER);
    const waiting = await ok<JoinResult>(officer, 'join', { sessionId });
    const denied = await hub.http().get(`/api/consultations/${sessionId}/turn-credentials`).set(officerAuth).expect(403);
    expect(denied.body.code).toBe('NOT_ADMITTED');

    // admission over REST reaches the waiting socket too
    const admitted = next<AdmittedPayload>(officer, 'admitted');
    await hub.http().post(`/api/consultations/${sessionId}/participants/${waiting.participantId}/admit`).set(bearer(await hub.login(DOCTOR))).expect(200);
    expect((await admitted).iceServers[0].credential).toBe(createHmac('sha1', TURN_SECRET).update((await admitted).iceServers[0].username!).digest('base64'));
    const res = await hub.http().get(`/api/consultations/${sessionId}/turn-credentials`).set(officerAuth).expect(200);
    const [server] = res.body.iceServers;
    const [expiry, user] = server.username.split(':');
    expect(user).toBe(hub.ids.users[OFFICER]);
    expect(Number(expiry)).toBe(res.body.expiresAt);
    expect(Number(expiry) - Date.now() / 1000).toBeGreaterThan(590);
    expect(Number(expiry) - Date.now() / 1000).toBeLessThanOrEqual(600);
    expect(server.credential).toBe(createHmac('sha1', TURN_SECRET).update(server.username).digest('base64'));
    expect(server.urls).toEqual(['turn:turn.test.example:3478?transport=udp', 'turns:turn.test.example:5349']);
  });

  it('answers RATE_LIMITED when a socket floods', async () => {
    const s = await connect(OFFICER);
    const acks = await Promise.all(Array.from({ length: 40 }, (_, i) => call(s, 'ping', { sentAt: i })));
    const limited = acks.filter((a) => !a.ok);
    expect(acks.filter((a) => a.ok).length).toBeGreaterThanOrEqual(15);
    expect(limited.length).toBeGreaterThan(0);
    expect(limited[0]).toMatchObject({ ok: false, error: { code: 'RATE_LIMITED', message: expect.stringMatching(/retry in \d+ ms/) } });
  });

  it('writes the session record on end, visible on the case', async () => {
    const caseId = await acceptedCase();
    const sessionId = await newSession(caseId);
    const { officer, doctor, officerParticipant } = await startCall(sessionId);
    await ok(officer, 'stats', { inboundBitrateKbps: 500, packetLoss: 0.01, rttMs: 80 });
    await ok(officer, 'stats', { inboundBitrateKbps: 300, packetLoss: 0.05, rttMs: 120 });
    expect(await call(officer, 'stats', { packetLoss: 2 })).toMatchObject({ ok: false, error: { code: 'VALIDATION_FAILED', fields: [{ field: 'packetLoss' }] } });
    expect(await call(officer, 'end')).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });

    const ended = next<{ record: { durationSeconds: number } }>(officer, 'sessionEnded');
    const record = await ok<{ durationSeconds: number; participants: { id: string; quality: object }[]; quality: object }>(doctor, 'end');
    expect((await ended).record.durationSeconds).toBe(record.durationSeconds);
    expect(record.durationSeconds).toBeGreaterThanOrEqual(0);
    expect(record.participants.find((p) => p.id === officerParticipant)!.quality).toEqual({
      samples: 2, avgBitrateKbps: 400, minBitrateKbps: 300, avgLoss: 0.03, worstLoss: 0.05, avgRttMs: 100, worstRttMs: 120,
    });
    expect(record.quality).toMatchObject({ samples: 2, avgBitrateKbps: 400, worstRttMs: 120 });

    const list = await hub.http().get(`/api/cases/${caseId}/consultations`).set(bearer(await hub.login(OFFICER))).expect(200);
    expect(list.body).toHaveLength(1);
    expect(list.body[0]).toMatchObject({ sessionId, status: 'ended', hostId: hub.ids.users[DOCTOR], startedAt: expect.any(String), endedAt: expect.any(String) });
    expect(list.body[0].participants.map((p: { callRole: string }) => p.callRole).sort()).toEqual(['clinic', 'host']);
    // nobody rejoins an ended session
    const late = await connect(OFFICER);
    expect(await call(late, 'join', { sessionId })).toMatchObject({ ok: false, error: { code: 'SESSION_ENDED' } });
    expect(hub.app.get(MediaService).getRoom(sessionId)).toBeUndefined();
    const [{ n }] = await hub.db.dataSource.query(`SELECT count(*)::int AS n FROM audit_entries WHERE subject_id = $1 AND action = 'consultation.end'`, [sessionId]);
    expect(n).toBe(1);
  });

  it('serves the pre-call probe and the RTT ping', async () => {
    const auth = bearer(await hub.login(OFFICER));
    const down = await hub.http().get('/api/consultations/probe/download?kb=64').set(auth).buffer(true).parse((res, cb) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => cb(null, Buffer.concat(chunks)));
    }).expect(200);
    expect((down.body as Buffer).length).toBe(64 * 1024);
    expect(down.headers['cache-control']).toBe('no-store');
    await hub.http().get('/api/consultations/probe/download?kb=99999').set(auth).expect(400);
    const up = await hub.http().post('/api/consultations/probe/upload').set(auth).set('Content-Type', 'application/octet-stream').send(Buffer.alloc(100 * 1024)).expect(200);
    expect(up.body.receivedBytes).toBe(100 * 1024);
    const s = await connect(OFFICER);
    const pong = await ok<{ sentAt: number; serverTime: number }>(s, 'ping', { sentAt: 42 });
    expect(pong.sentAt).toBe(42);
    expect(Math.abs(pong.serverTime - Date.now())).toBeLessThan(5000);
  });

  it('stores a recording cut short by a crash at the next start, as far as it was written', async () => {
    const caseId = await acceptedCase();
    const sessionId = await newSession(caseId);
    const recordings = hub.app.get(RecordingsService);
    const consentedBy = [{ participantId: '00000000-0000-4000-8000-000000000001', userId: hub.ids.users[OFFICER] }];
    const old = (Date.now() - 2 * RECORDING_QUIET_MS) / 1000;
    // Cut short: a part of a WebM written, the row still 'recording', the file untouched since the crash.
    const cut = await recordings.begin(sessionId, consentedBy);
    await hub.db.dataSource.query(`UPDATE consultation_recordings SET started_at = now() - interval '5 minutes' WHERE id = $1`, [cut.recordingId]);
    const bytes = randomBytes(50_000);
    writeFileSync(cut.outputPath, bytes);
    utimesSync(cut.outputPath, old, old);
    // Cut short while its ffmpeg outlived the hub: the orphan recorded RTP from an SDP (as the recorder runs it,
    // with its output flags) until its sender died, and now waits for RTP that will never come.
    const orphaned = await recordings.begin(sessionId, consentedBy);
    const sdp = join(hub.config.dataDir, 'orphan.sdp');
    const sender = spawn('ffmpeg', ['-nostdin', '-loglevel', 'error', '-re', '-f', 'lavfi', '-i', 'testsrc=size=320x240:rate=15', '-c:v', 'libvpx', '-b:v', '300k', '-deadline', 'realtime', '-f', 'rtp', '-sdp_file', sdp, `rtp://127.0.0.1:${await freePort()}`], { stdio: 'ignore' });
    await waitFor(() => existsSync(sdp) && readFileSync(sdp, 'utf8').includes('m=video'), 20_000, "the RTP sender's SDP");
    const orphan = spawn('ffmpeg', ['-nostdin', '-loglevel', 'error', '-protocol_whitelist', 'file,udp,rtp', '-i', sdp, '-c', 'copy', '-flush_packets', '1', '-cluster_time_limit', '2000', '-f', 'webm', '-y', orphaned.outputPath], { stdio: 'ignore' });
    // ffmpeg ends on SIGTERM: killed by it before its handlers are set, or exiting with 255 ("received signal 15") after
    const orphanExit = new Promise<string>((r) => orphan.once('exit', (code, signal) => r(signal === 'SIGTERM' || code === 255 ? 'SIGTERM' : `code ${code}, signal ${signal}`)));
    await waitFor(() => existsSync(orphaned.outputPath) && statSync(orphaned.outputPath).size > 10_000, 30_000, "the orphan's first clusters on disk");
    sender.kill('SIGKILL');
    await new Promise((r) => setTimeout(r, 1000));
    utimesSync(orphaned.outputPath, old, old);
    // Being written right now (another instance sharing the directory): left alone.
    const live = await recordings.begin(sessionId, consentedBy);
    writeFileSync(live.outputPath, randomBytes(1000));
    // Nothing written before the crash: failed, no attachment.
    const empty = await recordings.begin(sessionId, consentedBy);
    writeFileSync(empty.outputPath, '');
    utimesSync(empty.outputPath, old, old);
    // A leftover of a recording that was already marked failed: removed.
    const leftover = await recordings.begin(sessionId, consentedBy);
    await recordings.fail(leftover.recordingId, 'ffmpeg_failed', 'test');
    writeFileSync(leftover.outputPath, randomBytes(1000));
    utimesSync(leftover.outputPath, old, old);

    expect(await recordings.recoverInterrupted()).toBe(2);
    expect(await orphanExit).toBe('SIGTERM');
    const q = (sql: string, p: unknown[]) => hub.db.dataSource.query(sql, p);
    const [rec] = await q(`SELECT status, stop_reason, attachment_id, bytes, duration_ms FROM consultation_recordings WHERE id = $1`, [cut.recordingId]);
    expect(rec).toMatchObject({ status: 'stored', stop_reason: 'interrupted', bytes: String(bytes.length) });
    // stopped when the file was last written before the crash (two quiet periods ago), not when it was recovered
    const [{ stopped_at: stoppedAt }] = await q(`SELECT stopped_at FROM consultation_recordings WHERE id = $1`, [cut.recordingId]);
    expect(Math.abs(stoppedAt.getTime() - old * 1000)).toBeLessThan(2000);
    expect(Math.abs(rec.duration_ms - 3 * 60_000)).toBeLessThan(5000);
    const [file] = await q(`SELECT status, media_type, size, sha256, upload_id FROM case_attachments WHERE id = $1 AND case_id = $2`, [rec.attachment_id, caseId]);
    expect(file).toMatchObject({ status: 'ready', media_type: 'video/webm', size: String(bytes.length), sha256: createHash('sha256').update(bytes).digest('hex') });
    expect(readFileSync(join(hub.config.dataDir, 'uploads', file.upload_id)).equals(bytes)).toBe(true);
    expect(existsSync(cut.outputPath)).toBe(false);
    const [audit] = await q(`SELECT outcome, details FROM audit_entries WHERE action = 'consultation.recording_stored' AND details->>'recordingId' = $1`, [cut.recordingId]);
    expect(audit).toMatchObject({ outcome: 'success', details: { reason: 'interrupted' } });

    // The orphan closed its WebM on SIGTERM before it was stored: the stored file is what it left, and it decodes.
    const [fromOrphan] = await q(
      `SELECT r.status, r.stop_reason, a.sha256, a.upload_id FROM consultation_recordings r JOIN case_attachments a ON a.id = r.attachment_id WHERE r.id = $1`,
      [orphaned.recordingId],
    );
    expect(fromOrphan).toMatchObject({ status: 'stored', stop_reason: 'interrupted' });
    const stored = join(hub.config.dataDir, 'uploads', fromOrphan.upload_id);
    expect(createHash('sha256').update(readFileSync(stored)).digest('hex')).toBe(fromOrphan.sha256);
    expect(execFileSync('ffmpeg', ['-v', 'error', '-nostdin', '-i', stored, '-f', 'null', '-'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] })).toBe('');
    expect(existsSync(orphaned.outputPath)).toBe(false);

    expect((await q(`SELECT status FROM consultation_recordings WHERE id = $1`, [live.recordingId]))[0].status).toBe('recording');
    expect(existsSync(live.outputPath)).toBe(true);
    expect((await q(`SELECT status, stop_reason FROM consultation_recordings WHERE id = $1`, [empty.recordingId]))[0]).toEqual({ status: 'failed', stop_reason: 'interrupted' });
    expect(existsSync(empty.outputPath)).toBe(false);
    expect(existsSync(leftover.outputPath)).toBe(false);
    // Run again (the next start): nothing more to do, nothing stored twice.
    expect(await recordings.recoverInterrupted()).toBe(0);
    expect((await q(`SELECT count(*)::int AS n FROM case_attachments WHERE case_id = $1`, [caseId]))[0].n).toBe(2);
  });
});
