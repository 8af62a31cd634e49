import { io, Socket } from 'socket.io-client';
import { freePort } from '@hub/database';
import { MentalHealthService } from '@hub/mental-health';
import { NODE_SCOPE } from '../../../libs/sync/src/node-scope';
import { bearer, createTestHub, TestHub } from '@hub/testing';
import { PATIENT } from './fixtures';

/**
 * Mental-health sessions (docs/consultations.md): a psychologist at the Level 4 hospital in Nairobi publishes slots,
 * officers of MINUSCA (Bangui, UTC+1) and UNMISS (Juba, UTC+2) book them; times stored in UTC and shown in each
 * viewer's zone; booking idempotent, a second booking of a slot 409; the .ics file; reminders once; and the
 * sensitive-record rule (libs/access sensitive-records.ts) seen from every side.
 */
describe('mental-health sessions', () => {
  let hub: TestHub;
  let psychologist: { Authorization: string };
  let officer: { Authorization: string };
  let unmissOfficer: { Authorization: string };
  let patientId: string;
  let unmissPatientId: string;
  // Tomorrow 06:00 UTC: 07:00 in Bangui, 08:00 in Juba, 09:00 in Nairobi.
  const day = new Date(Date.now() + 2 * 86400_000).toISOString().slice(0, 10);
  const start = `${day}T09:00:00+03:00`;
  const startUtc = `${day}T06:00:00.000Z`;
  let slots: { id: string; startsAt: { utc: string } }[];
  let bookingId: string;
  let caseId: string;

  beforeAll(async () => {
    hub = await createTestHub({ LOG_LEVEL: 'error' }, { hubJobs: false });
    psychologist = bearer(await hub.login('psychologist@l4.demo'));
    officer = bearer(await hub.login('officer@minusca.demo'));
    unmissOfficer = bearer(await hub.login('officer@unmiss.demo'));
    patientId = (await hub.http().post('/api/patients').set(officer).send(PATIENT).expect(201)).body.id;
    unmissPatientId = (
      await hub.http().post('/api/patients').set(unmissOfficer).send({ ...PATIENT, serviceNumber: 'JUB-2026-0001', currentFacilityId: hub.ids.facilities['Juba Level 1 Clinic (RWANBAT)'] }).expect(201)
    ).body.id;
  });
  afterAll(() => hub.close());

  it('the psychologist publishes slots; a wall time without zone, a past time and an overlap are refused', async () => {
    const noZone = await hub.http().post('/api/mental-health/slots').set(psychologist).send({ startsAt: `${day}T09:00:00`, durationMinutes: 50 }).expect(400);
    expect(JSON.stringify(noZone.body)).toMatch(/startsAt/);
    const past = await hub.http().post('/api/mental-health/slots').set(psychologist).send({ startsAt: '2020-01-01T09:00:00Z', durationMinutes: 50 }).expect(400);
    expect(JSON.stringify(past.body)).toMatch(/startsAt must be in the future/);
    const tooLong = await hub.http().post('/api/mental-health/slots').set(psychologist).send({ startsAt: start, durationMinutes: 500 }).expect(400);
    expect(JSON.stringify(tooLong.body)).toMatch(/durationMinutes/);

    const res = await hub.http().post('/api/mental-health/slots').set(psychologist).send({ startsAt: start, durationMinutes: 50, count: 3 }).expect(201);
    slots = res.body;
    expect(slots).toHaveLength(3);
    expect(res.body[0].startsAt).toEqual({ utc: startUtc, timeZone: 'Africa/Nairobi', local: `${day} 09:00`, offset: 'UTC+03:00' });
    expect(res.body[1].startsAt.local).toBe(`${day} 09:50`);

    const overlap = await hub.http().post('/api/mental-health/slots').set(psychologist).send({ startsAt: `${day}T06:30:00Z`, durationMinutes: 30 }).expect(409);
    expect(overlap.body.message).toMatch(/already offer a slot at .* Africa\/Nairobi \(UTC\+03:00\)/);

    // a reference doctor without the mental-health specialty does not publish slots
    await hub.http().post('/api/mental-health/slots').set(bearer(await hub.login('doctor@minusca.demo'))).send({ startsAt: `${day}T12:00:00Z`, durationMinutes: 50 }).expect(403);
  });

  it('officers of both missions see the same slots in their own zones, named', async () => {
    const bangui = (await hub.http().get('/api/mental-health/slots/open').set(officer).expect(200)).body.items;
    const juba = (await hub.http().get('/api/mental-health/slots/open').set(unmissOfficer).expect(200)).body.items;
    const first = (list: { id: string; startsAt: object; clinicianName: string }[]) => list.find((s) => s.id === slots[0].id)!;
    expect(first(bangui).startsAt).toEqual({ utc: startUtc, timeZone: 'Africa/Bangui', local: `${day} 07:00`, offset: 'UTC+01:00' });
    expect(first(juba).startsAt).toEqual({ utc: startUtc, timeZone: 'Africa/Juba', local: `${day} 08:00`, offset: 'UTC+02:00' });
    expect(first(bangui).clinicianName).toBe('Dr. Level 4 Psychologist');
  });

  it('books idempotently; a second booking of the slot is 409 with a reason', async () => {
    const body = { slotId: slots[0].id, patientId, reason: 'Poor sleep and intrusive memories after an ambush', chatConsent: false };
    const first = await hub.http().post('/api/mental-health/bookings').set(officer).set('Idempotency-Key', 'mh-book-1').send(body).expect(201);
    const again = await hub.http().post('/api/mental-health/bookings').set(officer).set('Idempotency-Key', 'mh-book-1').send(body).expect(201);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.body.id).toBe(first.body.id);
    expect(await hub.db.dataSource.query('SELECT count(*)::int AS n FROM mental_health_bookings WHERE slot_id = $1', [slots[0].id])).toEqual([{ n: 1 }]);
    bookingId = first.body.id;
    caseId = first.body.caseId;
    expect(first.body.startsAt).toMatchObject({ utc: startUtc, local: `${day} 07:00`, timeZone: 'Africa/Bangui' });
    expect(first.body.joinPath).toMatch(/audioOnly=1/);

    const taken = await hub.http().post('/api/mental-health/bookings').set(officer).set('Idempotency-Key', 'mh-book-2').send(body).expect(409);
    expect(taken.body.message).toMatch(/slotId: this slot .* is already booked; choose another slot/);
    // another mission's officer: the slot is taken too (the L4 hospital serves both missions)
    await hub.http().post('/api/mental-health/bookings').set(unmissOfficer).send({ ...body, patientId: unmissPatientId }).expect(409);
    // bad input names the field
    const bad = await hub.http().post('/api/mental-health/bookings').set(officer).send({ ...body, slotId: 'nope', chatConsent: 'yes' }).expect(400);
    expect(JSON.stringify(bad.body)).toMatch(/slotId must be a UUID/);
    expect(JSON.stringify(bad.body)).toMatch(/chatConsent/);
    // another mission's patient: not found
    await hub.http().post('/api/mental-health/bookings').set(officer).send({ ...body, slotId: slots[1].id, patientId: unmissPatientId }).expect(404);
    // the psychologist was told
    const notes = (await hub.http().get('/api/notifications').set(psychologist).expect(200)).body;
    expect(notes.find((n: { kind: string }) => n.kind === 'mental_health.booked')?.params.when).toBe(`${day} 09:00 Africa/Nairobi (UTC+03:00)`);

    // the call: audio-only by default, chat not kept in the thread (no consent)
    const session = (await hub.http().get(`/api/consultations/${first.body.consultationSessionId}`).set(psychologist).expect(200)).body;
    expect(session).toMatchObject({ audioOnlyDefault: true, chatInThread: false, isHost: true, scheduledAt: startUtc });
  });

  it('serves an iCalendar file in UTC to the two people only', async () => {
    const ics = await hub.http().get(`/api/mental-health/bookings/${bookingId}/calendar.ics`).set(officer).expect(200);
    expect(ics.headers['content-type']).toMatch(/^text\/calendar/);
    expect(ics.headers['content-disposition']).toMatch(/attachment; filename="session-C-/);
    const text = ics.text.replace(/\r\n /g, '');
    expect(text).toMatch(/BEGIN:VEVENT/);
    expect(text).toContain(`DTSTART:${day.replace(/-/g, '')}T060000Z`);
    expect(text).toContain(`DTEND:${day.replace(/-/g, '')}T065000Z`);
    expect(text).toContain('07:00 Africa/Bangui (UTC+01:00)');
    expect(text).not.toContain(PATIENT.lastName);
    expect(text).toContain('SUMMARY:Mental-health session C-');
    // In the reader's language: with no stored choice, a browser in French gets the French words.
    const fr = await hub.http().get(`/api/mental-health/bookings/${bookingId}/calendar.ics`).set(officer).set('Accept-Language', 'fr-FR,fr;q=0.9,en;q=0.5').expect(200);
    expect(fr.text).toContain('SUMMARY:Séance de santé mentale C-');
    expect(fr.text).toContain('DESCRIPTION:Séance privée (audio seul) avec');
    expect(fr.text).not.toContain('Mental-health session');
    await hub.http().get(`/api/mental-health/bookings/${bookingId}/calendar.ics`).set(psychologist).expect(200);
    for (const who of ['manager@minusca.demo', 'doctor@minusca.demo', 'newofficer@minusca.demo', 'officer@unmiss.demo']) {
      await hub.http().get(`/api/mental-health/bookings/${bookingId}/calendar.ics`).set(bearer(await hub.login(who))).expect(404);
    }
  });

  it('the sensitive case: its two people see it; the clinic, other doctors and the manager do not, the dashboard counts it', async () => {
    const mine = async (who: string) => (await hub.http().get('/api/cases?view=mine&limit=100').set(bearer(await hub.login(who))).expect(200)).body.items.map((c: { id: string }) => c.id);
    expect(await mine('officer@minusca.demo')).toContain(caseId);
    expect(await mine('psychologist@l4.demo')).toContain(caseId);
    for (const who of ['manager@minusca.demo', 'newofficer@minusca.demo', 'doctor@minusca.demo', 'specialist@l4.demo']) {
      expect(await mine(who)).not.toContain(caseId);
      const auth = bearer(await hub.login(who));
      await hub.http().get(`/api/cases/${caseId}`).set(auth).expect(404);
      await hub.http().get(`/api/cases/${caseId}/fhir`).set(auth).expect(404);
      await hub.http().get(`/api/cases/${caseId}/consultations`).set(auth).expect(404);
    }
    const view = (await hub.http().get(`/api/cases/${caseId}`).set(psychologist).expect(200)).body;
    expect(view).toMatchObject({ status: 'accepted', specialtyCode: 'mental_health', assignedDoctorId: hub.ids.users['psychologist@l4.demo'] });
    // the refusal of the manager was audited
    const [denied] = await hub.db.dataSource.query(`SELECT count(*)::int AS n FROM audit_entries WHERE subject_id = $1 AND outcome = 'denied'`, [caseId]);
    expect(denied.n).toBeGreaterThan(0);
    // the dashboard counts it (no identity in case_facts)
    const dash = (await hub.http().get(`/api/monitoring/dashboard?missionId=${hub.ids.missions.MINUSCA}&specialty=mental_health`).set(bearer(await hub.login('manager@minusca.demo'))).expect(200)).body;
    const routine = dash.openByUrgency.find((r: { urgency: string }) => r.urgency === 'routine');
    expect(routine.under1h + routine.h1to24 + routine.d1to3 + routine.over3d).toBe(1);
    // the clinic's field node never holds it
    const held = await hub.db.dataSource.query(`SELECT t.id FROM referral_cases t WHERE ${NODE_SCOPE.referral_cases.where}`, [hub.ids.facilities['Bangui Level 1 Clinic (BANBAT)']]);
    expect(held.map((r: { id: string }) => r.id)).not.toContain(caseId);
  });

  it('lists bookings for the officer and the psychologist only', async () => {
    const list = async (auth: { Authorization: string }) => (await hub.http().get('/api/mental-health/bookings').set(auth).expect(200)).body.map((b: { id: string }) => b.id);
    expect(await list(officer)).toContain(bookingId);
    expect(await list(psychologist)).toContain(bookingId);
    expect(await list(bearer(await hub.login('manager@minusca.demo')))).toEqual([]);
    expect(await list(unmissOfficer)).toEqual([]);
    const psyView = (await hub.http().get(`/api/mental-health/bookings/${bookingId}`).set(psychologist).expect(200)).body;
    expect(psyView.startsAt).toMatchObject({ local: `${day} 09:00`, timeZone: 'Africa/Nairobi' });
    const mySlots = (await hub.http().get('/api/mental-health/slots').set(psychologist).expect(200)).body.items;
    expect(mySlots.find((s: { id: string }) => s.id === slots[0].id)).toMatchObject({ booked: true, bookingId });
    const open = (await hub.http().get('/api/mental-health/slots/open').set(officer).expect(200)).body.items.map((s: { id: string }) => s.id);
    expect(open).not.toContain(slots[0].id);
  });

  it('keeps chat in the thread only when the patient consented', async () => {
    const port = await freePort();
    await hub.app.listen(port, '127.0.0.1');
    const sockets: Socket[] = [];
    const chatIn = async (sessionId: string) => {
      const s = io(`http://127.0.0.1:${port}/consultations`, { path: '/socket.io', transports: ['websocket'], auth: { token: (await hub.login('psychologist@l4.demo')).accessToken }, reconnection: false, forceNew: true });
      sockets.push(s);
      await new Promise<void>((resolve, reject) => {
        s.once('connect', () => resolve());
        s.once('connect_error', reject);
      });
      const emit = (event: string, payload: object) => new Promise<{ ok: boolean; data: { kept: boolean; id: string }; error?: unknown }>((resolve) => s.emit(event, payload, resolve));
      const joined = await emit('join', { sessionId });
      expect(joined.ok).toBe(true);
      const sent = await emit('chat', { body: 'How did you sleep this week?' });
      expect(sent.ok).toBe(true);
      return sent.data;
    };
    try {
      // no consent (the booking above): relayed only, nothing in the thread
      const without = (await hub.http().get(`/api/mental-health/bookings/${bookingId}`).set(officer).expect(200)).body;
      expect((await chatIn(without.consultationSessionId)).kept).toBe(false);
      const thread = (await hub.http().get(`/api/cases/${caseId}`).set(officer).expect(200)).body.messages;
      expect(thread.map((m: { body: string }) => m.body)).not.toContain('How did you sleep this week?');
      // consent: kept in the case thread
      const consented = (
        await hub.http().post('/api/mental-health/bookings').set(officer).send({ slotId: slots[1].id, patientId, reason: 'Follow-up', chatConsent: true }).expect(201)
      ).body;
      const kept = await chatIn(consented.consultationSessionId);
      expect(kept.kept).toBe(true);
      const keptThread = (await hub.http().get(`/api/cases/${consented.caseId}`).set(officer).expect(200)).body.messages;
      expect(keptThread.map((m: { id: string }) => m.id)).toContain(kept.id);
    } finally {
      sockets.forEach((s) => s.close());
    }
  });

  it('a mission administrator sets the mission zone (IANA, checked); views follow it', async () => {
    const admin = bearer(await hub.login('admin@minusca.demo'));
    const mission = `/api/missions/${hub.ids.missions.MINUSCA}`;
    expect((await hub.http().get(mission).set(admin).expect(200)).body.timeZone).toBe('Africa/Bangui');
    const bad = await hub.http().patch(mission).set(admin).send({ timeZone: 'Mars/Olympus' }).expect(400);
    expect(JSON.stringify(bad.body)).toMatch(/timeZone must be an IANA time zone/);
    await hub.http().patch(mission).set(admin).send({ timeZone: 'Africa/Nairobi' }).expect(200);
    const view = (await hub.http().get(`/api/mental-health/bookings/${bookingId}`).set(officer).expect(200)).body;
    expect(view.startsAt).toMatchObject({ local: `${day} 09:00`, timeZone: 'Africa/Nairobi', offset: 'UTC+03:00' });
    await hub.http().patch(mission).set(admin).send({ timeZone: 'Africa/Bangui' }).expect(200);
  });

  it('staff book for themselves only where their mission allows it; only they and the clinician see it', async () => {
    const trainer = bearer(await hub.login('trainer@minusca.demo'));
    const admin = bearer(await hub.login('admin@minusca.demo'));
    const mission = `/api/missions/${hub.ids.missions.MINUSCA}`;
    const body = { slotId: slots[2].id, forSelf: true, reason: 'Stress after the rotation', chatConsent: false };
    expect((await hub.http().get('/api/mental-health/slots/open').set(trainer).expect(200)).body.items).toEqual([]);
    const refused = await hub.http().post('/api/mental-health/bookings').set(trainer).send(body).expect(403);
    expect(refused.body.message).toMatch(/does not let staff book sessions for themselves/);
    // without forSelf, a trainer books for no patient
    await hub.http().post('/api/mental-health/bookings').set(trainer).send({ ...body, forSelf: undefined, patientId }).expect(403);

    expect((await hub.http().patch(mission).set(admin).send({ staffSelfBooking: true }).expect(200)).body.staffSelfBooking).toBe(true);
    try {
      const open = (await hub.http().get('/api/mental-health/slots/open').set(trainer).expect(200)).body.items.map((x: { id: string }) => x.id);
      expect(open).toContain(slots[2].id);
      const booked = (await hub.http().post('/api/mental-health/bookings').set(trainer).set('Idempotency-Key', 'mh-self-1').send(body).expect(201)).body;
      expect(booked).toMatchObject({ forSelf: true, caseId: null, patientId: null, patientName: 'Trainer (MINUSCA)', startsAt: { timeZone: 'Africa/Bangui' } });
      expect(booked.caseReference).toMatch(/^S-/);
      await hub.http().get(`/api/mental-health/bookings/${booked.id}`).set(psychologist).expect(200);
      await hub.http().get(`/api/mental-health/bookings/${booked.id}/calendar.ics`).set(trainer).expect(200);
      for (const who of ['manager@minusca.demo', 'officer@minusca.demo', 'admin@minusca.demo']) {
        await hub.http().get(`/api/mental-health/bookings/${booked.id}`).set(bearer(await hub.login(who))).expect(404);
        expect((await hub.http().get('/api/mental-health/bookings').set(bearer(await hub.login(who))).expect(200)).body.map((b: { id: string }) => b.id)).not.toContain(booked.id);
      }
      // the trainer may enter the session (a named invitation), waiting for the psychologist
      const session = (await hub.http().get(`/api/consultations/${booked.consultationSessionId}`).set(trainer).expect(200)).body;
      expect(session).toMatchObject({ canJoin: true, audioOnlyDefault: true, caseId: null });
      await hub.http().get(`/api/consultations/${booked.consultationSessionId}`).set(bearer(await hub.login('manager@minusca.demo'))).expect(404);
    } finally {
      await hub.http().patch(mission).set(admin).send({ staffSelfBooking: false }).expect(200);
    }
  });

  it('reminds both people once, an hour before', async () => {
    const service = hub.app.get(MentalHealthService);
    expect(await service.sendReminders(new Date(Date.parse(startUtc) - 2 * 3600_000))).toEqual([]);
    // the first session starts in 30 minutes, the second (50 minutes later) in 80: only the first is reminded
    expect(await service.sendReminders(new Date(Date.parse(startUtc) - 30 * 60_000))).toEqual([bookingId]);
    expect(await service.sendReminders(new Date(Date.parse(startUtc) - 20 * 60_000))).toEqual([]);
    for (const auth of [officer, psychologist]) {
      const notes = (await hub.http().get('/api/notifications').set(auth).expect(200)).body.filter((n: { kind: string }) => n.kind === 'mental_health.reminder');
      expect(notes).toHaveLength(1);
      expect(notes[0].params.minutes).toBe(30);
    }
    const bangui = (await hub.http().get('/api/notifications').set(officer).expect(200)).body.find((n: { kind: string }) => n.kind === 'mental_health.reminder');
    expect(bangui.params.when).toBe(`${day} 07:00 Africa/Bangui (UTC+01:00)`);
  });
  it('cancels a booking (the officer who booked or the clinician): the slot is free again, audited, idempotent', async () => {
    const freeSlot = async (days: number) =>
      (
        await hub.db.dataSource.query(
          `INSERT INTO mental_health_slots (clinician_id, facility_id, starts_at, ends_at) VALUES ($1, $2, now() + make_interval(days => $3), now() + make_interval(days => $3, mins => 50)) RETURNING id`,
          [hub.ids.users['psychologist@l4.demo'], hub.ids.facilities['Nairobi Reference Hospital (Level 4)'], days],
        )
      )[0].id as string;
    const slotId = await freeSlot(20);
    const booked = (await hub.http().post('/api/mental-health/bookings').set(officer).send({ slotId, patientId, reason: 'Follow-up after the ambush', chatConsent: true }).expect(201)).body;
    // nobody but its two people: 404 (another officer of the clinic, the manager)
    for (const who of ['newofficer@minusca.demo', 'manager@minusca.demo']) {
      await hub.http().post(`/api/mental-health/bookings/${booked.id}/cancel`).set(bearer(await hub.login(who))).send({}).expect(404);
    }
    const first = await hub.http().post(`/api/mental-health/bookings/${booked.id}/cancel`).set(officer).set('Idempotency-Key', `mh-cancel-${booked.id}`).send({ note: 'Patient evacuated' }).expect(200);
    expect(first.body.id).toBe(booked.id);
    const again = await hub.http().post(`/api/mental-health/bookings/${booked.id}/cancel`).set(officer).set('Idempotency-Key', `mh-cancel-${booked.id}`).send({ note: 'Patient evacuated' }).expect(200);
    expect(again.headers['idempotent-replayed']).toBe('true');
    // the slot is free again; the booking is gone from both lists; the case is cancelled, the call ended
    const open = (await hub.http().get('/api/mental-health/slots/open').set(officer).expect(200)).body.items.map((x: { id: string }) => x.id);
    expect(open).toContain(slotId);
    expect((await hub.http().get('/api/mental-health/bookings').set(psychologist).expect(200)).body.map((b: { id: string }) => b.id)).not.toContain(booked.id);
    const c = (await hub.http().get(`/api/cases/${booked.caseId}`).set(officer).expect(200)).body;
    expect(c.status).toBe('cancelled');
    expect(c.transitions.at(-1)).toMatchObject({ to: 'cancelled', note: 'Mental-health session cancelled: Patient evacuated' });
    const [session] = await hub.db.dataSource.query('SELECT status FROM consultation_sessions WHERE id = $1', [booked.consultationSessionId]);
    expect(session.status).toBe('ended');
    const audit = await hub.db.dataSource.query(`SELECT outcome, details FROM audit_entries WHERE action = 'mental_health.cancel' AND subject_id = $1`, [booked.caseId]);
    expect(audit).toEqual([expect.objectContaining({ outcome: 'success', details: expect.objectContaining({ bookingId: booked.id, by: 'booker' }) })]);
    const told = (await hub.http().get('/api/notifications').set(psychologist).expect(200)).body.filter((n: { kind: string; caseId: string }) => n.kind === 'mental_health.cancelled' && n.caseId === booked.caseId);
    expect(told).toHaveLength(1);
    // it can be booked again; the clinician cancels that one
    const rebooked = (await hub.http().post('/api/mental-health/bookings').set(officer).send({ slotId, patientId, reason: 'Follow-up, new time', chatConsent: false }).expect(201)).body;
    await hub.http().post(`/api/mental-health/bookings/${rebooked.id}/cancel`).set(psychologist).send({}).expect(200);
    // a session that has started can no longer be cancelled
    const late = (await hub.http().post('/api/mental-health/bookings').set(officer).send({ slotId: await freeSlot(21), patientId, reason: 'Another follow-up', chatConsent: false }).expect(201)).body;
    await hub.db.dataSource.query(`UPDATE mental_health_slots SET starts_at = now() - interval '5 minutes' WHERE id = $1`, [late.slotId]);
    const refused = await hub.http().post(`/api/mental-health/bookings/${late.id}/cancel`).set(officer).send({}).expect(409);
    expect(refused.body.params).toMatchObject({ reason: 'booking_not_cancellable' });
    await hub.http().post(`/api/mental-health/bookings/${late.id}/cancel`).set(officer).send({ note: 42 }).expect(400);
  });
  it('a facility keeps its own time zone, set and cleared by the mission administrator', async () => {
    const admin = bearer(await hub.login('admin@minusca.demo'));
    const clinic = `/api/facilities/${hub.ids.facilities['Bria Level 1 Clinic (ZAMBAT)']}`;
    const bad = await hub.http().patch(clinic).set(admin).send({ timeZone: 'Mars/Olympus' }).expect(400);
    expect(JSON.stringify(bad.body)).toContain('timeZone');
    expect((await hub.http().patch(clinic).set(admin).send({ timeZone: 'Africa/Lagos' }).expect(200)).body.timeZone).toBe('Africa/Lagos');
    expect((await hub.http().get(clinic).set(admin).expect(200)).body.timeZone).toBe('Africa/Lagos');
    expect((await hub.http().patch(clinic).set(admin).send({ timeZone: null }).expect(200)).body.timeZone).toBeNull();
  });
});
