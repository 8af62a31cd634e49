import { Injectable } from '@nestjs/common';
import { createHash, randomBytes } from 'node:crypto';
import ical, { ICalCalendarMethod } from 'ical-generator';
import { DataSource, EntityManager } from 'typeorm';
import { Action, actorOf, CallerContext, clinicalScopeOf, missionsOf, RecordAccess, subjectOf } from '@hub/access';
import { AuditService } from '@hub/audit';
import { caseReference, CasesService, CaseTransition, Patient, ReferralCase } from '@hub/cases';
import { Clock, DomainException, ErrorCode, HubJobs } from '@hub/common';
import { ConsultationInvitation, ConsultationSession } from '@hub/consultations';
import { MentalHealthBookingView, MentalHealthSlotList, MentalHealthSlotView, URGENCY_RANK } from '@hub/contracts';
import { NotificationsService } from '@hub/notifications';
import { BookSessionDto, PublishSlotsDto } from './dto/mental-health.dto';
import { AvailabilitySlot } from './entities/availability-slot.entity';
import { MentalHealthBooking } from './entities/mental-health-booking.entity';
import { zonedLabel, zonedTime } from './zoned-time';

/** The reference of a member of staff's own session (no case): S- and the booking id's first characters. */
export const sessionReference = (bookingId: string) => `S-${bookingId.slice(0, 8).toUpperCase()}`;

/** The specialty a psychologist or psychiatrist holds (specialties table). */
export const MENTAL_HEALTH_SPECIALTY = 'mental_health';
/** How long before a session its two people are reminded. */
export const REMINDER_MINUTES_BEFORE = 60;
export const REMINDER_SWEEP_INTERVAL_MS = 60_000;

interface SlotRow {
  id: string;
  clinician_id: string;
  clinician_name: string;
  facility_id: string;
  facility_name: string;
  starts_at: Date;
  ends_at: Date;
  booking_id: string | null;
}

interface BookingRow {
  id: string;
  slot_id: string;
  case_id: string | null;
  patient_id: string | null;
  for_self: boolean;
  patient_name: string;
  clinician_id: string;
  clinician_name: string;
  booked_by_id: string;
  booked_by_name: string;
  consultation_session_id: string;
  starts_at: Date;
  ends_at: Date;
  chat_consent: boolean;
  created_at: Date;
}

const BOOKING_SQL = `
  SELECT b.id, b.slot_id, b.case_id, b.patient_id, b.for_self,
         CASE WHEN b.for_self THEN bu.display_name ELSE p.last_name || ', ' || p.first_name END AS patient_name, b.clinician_id,
         cu.display_name AS clinician_name, b.booked_by_id, bu.display_name AS booked_by_name, b.consultation_session_id,
         s.starts_at, s.ends_at, b.chat_consent, b.created_at
    FROM mental_health_bookings b
    JOIN mental_health_slots s ON s.id = b.slot_id
    LEFT JOIN patients p ON p.id = b.patient_id
    JOIN users cu ON cu.id = b.clinician_id
    JOIN users bu ON bu.id = b.booked_by_id`;

/**
 * Mental-health sessions: slots published by psychologists/psychiatrists (reference doctors with the mental_health
 * specialty), bookings by officers for their patients, reminders, iCalendar files. A booking opens a *sensitive*
 * case (libs/access sensitive-records.ts) assigned to the clinician, and a scheduled consultation session on it that
 * participants join audio-only, with chat kept in the thread only when the patient consented.
 */
@Injectable()
export class MentalHealthService {

  constructor(
    private readonly dataSource: DataSource,
    private readonly cases: CasesService,
    private readonly access: RecordAccess,
    private readonly audit: AuditService,
    private readonly notifications: NotificationsService,
    private readonly clock: Clock,
    jobs: HubJobs,
  ) {
    jobs.every('Mental-health reminders', REMINDER_SWEEP_INTERVAL_MS, () => this.sendReminders());
  }

  // ---- time zones -----------------------------------------------------------------------------------------

  /** The viewer's zone: their facility's when it has one, else their mission's, else UTC. */
  async zoneOf(userId: string, m: EntityManager = this.dataSource.manager): Promise<string> {
    const [row] = await m.query(
      `SELECT COALESCE(f.time_zone, ms.time_zone, fms.time_zone) AS tz
         FROM memberships mb
         LEFT JOIN facilities f ON f.id = mb.facility_id
         LEFT JOIN missions ms ON ms.id = mb.mission_id
         LEFT JOIN LATERAL (SELECT x.time_zone FROM facility_missions fm JOIN missions x ON x.id = fm.mission_id
                             WHERE fm.facility_id = mb.facility_id ORDER BY x.code LIMIT 1) fms ON true
        WHERE mb.user_id = $1
        ORDER BY (mb.role = 'system_admin'), mb.created_at LIMIT 1`,
      [userId],
    );
    return row?.tz ?? 'UTC';
  }

  // ---- the clinician's side -------------------------------------------------------------------------------

  /** The caller's reference hospitals where they practise mental health (none: 403). */
  private clinicianFacilities(caller: CallerContext): string[] {
    const p = caller.principal;
    const facilities = p.memberships.filter((m) => m.role === 'reference_doctor' && m.facilityId).map((m) => m.facilityId!);
    if (!p.specialties.includes(MENTAL_HEALTH_SPECIALTY) || !facilities.length) {
      throw new DomainException(ErrorCode.Forbidden, 'Only psychologists and psychiatrists (reference doctors with the mental health specialty) publish session slots');
    }
    return [...new Set(facilities)];
  }

  async publishSlots(caller: CallerContext, dto: PublishSlotsDto): Promise<MentalHealthSlotView[]> {
    const facilities = this.clinicianFacilities(caller);
    if (dto.facilityId && !facilities.includes(dto.facilityId)) throw new DomainException(ErrorCode.NotFound, 'facilityId: facility not found among your hospitals', [{ field: 'facilityId', problems: ['not one of your hospitals'] }]);
    if (!dto.facilityId && facilities.length > 1) throw DomainException.invalid('facilityId', 'you work at several hospitals: say at which one the sessions are held');
    const facilityId = dto.facilityId ?? facilities[0];
    const first = new Date(dto.startsAt);
    if (!Number.isFinite(first.getTime())) throw DomainException.invalid('startsAt', 'startsAt is not a valid date-time');
    if (first <= this.clock.now()) throw DomainException.invalid('startsAt', 'startsAt must be in the future');
    const span = dto.durationMinutes * 60_000;
    const count = dto.count ?? 1;
    const userId = caller.principal.userId;
    const ids = await this.dataSource.transaction(async (m) => {
      // One clinician's slots are published one request at a time, so the overlap check below cannot race.
      await m.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [`mental-health-slots:${userId}`]);
      const last = new Date(first.getTime() + count * span);
      const [clash] = await m.query(
        `SELECT starts_at FROM mental_health_slots WHERE clinician_id = $1 AND starts_at < $3 AND ends_at > $2 ORDER BY starts_at LIMIT 1`,
        [userId, first, last],
      );
      if (clash) {
        const zone = await this.zoneOf(userId, m);
        throw DomainException.conflict(`startsAt: you already offer a slot at ${zonedLabel(zonedTime(clash.starts_at, zone))} that overlaps these`, 'slot_overlaps', { at: zonedLabel(zonedTime(clash.starts_at, zone)) });
      }
      const rows = Array.from({ length: count }, (_, i) => ({
        clinicianId: userId,
        facilityId,
        startsAt: new Date(first.getTime() + i * span),
        endsAt: new Date(first.getTime() + (i + 1) * span),
      }));
      const saved = await m.getRepository(AvailabilitySlot).save(rows.map((r) => m.create(AvailabilitySlot, r)));
      await this.audit.record(
        { ...actorOf(caller), action: 'mental_health.slots_publish', outcome: 'success', missionId: null, subjectType: 'MentalHealthSlot', subjectId: saved[0].id, details: { facilityId, count, from: first.toISOString(), durationMinutes: dto.durationMinutes } },
        m,
      );
      return saved.map((s) => s.id);
    });
    const zone = await this.zoneOf(userId);
    return (await this.slotRows('s.id = ANY($1::uuid[])', [ids])).map((r) => this.slotView(r, zone, true));
  }

  /** The caller's own slots from a day ago on, booked or not. */
  async mySlots(caller: CallerContext): Promise<MentalHealthSlotList> {
    const zone = await this.zoneOf(caller.principal.userId);
    const rows = await this.slotRows(`s.clinician_id = $1 AND s.ends_at > $2::timestamptz - interval '1 day'`, [caller.principal.userId, this.clock.now()]);
    return { timeZone: zone, items: rows.map((r) => this.slotView(r, zone, true)) };
  }

  // ---- the officer's side ---------------------------------------------------------------------------------

  /** Free future slots at reference hospitals serving the missions of the caller's clinics. */
  async openSlots(caller: CallerContext): Promise<MentalHealthSlotList> {
    const missions = [...new Set([...clinicalScopeOf(caller.principal).clinicMissionIds, ...(await this.selfBookingMissions(caller))])];
    const zone = await this.zoneOf(caller.principal.userId);
    if (!missions.length) return { timeZone: zone, items: [] };
    const rows = await this.slotRows(
      `b.id IS NULL AND s.starts_at > $2 AND cu.active AND fac.active
       AND EXISTS (SELECT 1 FROM facility_missions fm WHERE fm.facility_id = s.facility_id AND fm.mission_id = ANY($1::uuid[]))`,
      [missions, this.clock.now()],
    );
    return { timeZone: zone, items: rows.map((r) => this.slotView(r, zone, false)) };
  }

  /** The caller's missions that let staff book sessions for themselves. */
  private async selfBookingMissions(caller: CallerContext, m: EntityManager = this.dataSource.manager): Promise<string[]> {
    const mine = missionsOf(caller.principal);
    if (!mine.length) return [];
    const rows: { id: string }[] = await m.query('SELECT id FROM missions WHERE id = ANY($1::uuid[]) AND staff_self_booking AND active ORDER BY code', [mine]);
    return rows.map((r) => r.id);
  }

  async book(caller: CallerContext, dto: BookSessionDto): Promise<MentalHealthBookingView> {
    if (dto.forSelf) return this.bookForSelf(caller, dto);
    // Booking for a patient is clinic work: the role (and its certification) first, as for opening a case.
    if (!caller.ability.can(Action.Refer, 'Case')) throw new DomainException(ErrorCode.Forbidden, 'Only clinic staff book sessions for patients; book forSelf where your mission allows it');
    const now = this.clock.now();
    const patientId = dto.patientId!;
    const { booking, notify } = await this.dataSource.transaction(async (m) => {
      const patient = await this.access.assert(caller, Action.Read, 'Patient', await m.getRepository(Patient).findOneBy({ id: patientId }), { id: patientId, missionId: null });
      const slot = await m.getRepository(AvailabilitySlot).findOne({ where: { id: dto.slotId }, lock: { mode: 'pessimistic_write' } });
      // A slot of a hospital that does not serve the patient's mission is, for this caller, not there at all.
      const serves = slot && (await m.query('SELECT 1 FROM facility_missions WHERE facility_id = $1 AND mission_id = $2', [slot.facilityId, patient.missionId])).length > 0;
      if (!slot || !serves) throw new DomainException(ErrorCode.NotFound, 'slotId: slot not found', [{ field: 'slotId', problems: ['not found'] }]);
      const zone = await this.zoneOf(caller.principal.userId, m);
      const existing = await m.getRepository(MentalHealthBooking).findOneBy({ slotId: slot.id });
      if (existing) throw DomainException.conflict(`slotId: this slot (${zonedLabel(zonedTime(slot.startsAt, zone))}) is already booked; choose another slot`, 'slot_booked', { at: zonedLabel(zonedTime(slot.startsAt, zone)) });
      if (slot.startsAt <= now) throw DomainException.conflict('slotId: this slot has already started; choose a later one', 'slot_started');
      const facilityId = await this.clinicFor(caller, patient, m);
      if (!caller.ability.can(Action.Refer, subjectOf('Case', { facilityId, missionId: patient.missionId }))) {
        throw new DomainException(ErrorCode.Forbidden, 'You cannot book sessions for this clinic');
      }
      const when = zonedLabel(zonedTime(slot.startsAt, zone));
      const c = await m.getRepository(ReferralCase).save(
        m.create(ReferralCase, {
          missionId: patient.missionId,
          patientId: patient.id,
          facilityId,
          requestedById: caller.principal.userId,
          specialtyCode: 'mental_health',
          urgency: 'routine',
          urgencyRank: URGENCY_RANK.routine,
          status: 'accepted',
          sensitive: true,
          consentGiven: true,
          consentNote: dto.chatConsent ? 'The patient agreed that chat in the session is kept in this thread' : 'Chat in the session is not kept (no consent)',
          presentingComplaint: dto.reason,
          history: '',
          vitals: {},
          examination: '',
          workingDiagnosis: '',
          question: `Mental-health session (${when})`,
          assignedDoctorId: slot.clinicianId,
          submittedAt: now,
          acceptedAt: now,
          deadlineAt: null,
        }),
      );
      await m.getRepository(CaseTransition).insert([
        { caseId: c.id, fromStatus: null, toStatus: 'submitted', actorId: caller.principal.userId, note: 'Mental-health session booked' },
        { caseId: c.id, fromStatus: 'submitted', toStatus: 'accepted', actorId: caller.principal.userId, note: `Booked with the clinician for ${when}` },
      ]);
      const session = await m.getRepository(ConsultationSession).save(
        m.create(ConsultationSession, {
          missionId: patient.missionId,
          caseId: c.id,
          title: 'Mental-health session',
          scheduledAt: slot.startsAt,
          hostId: slot.clinicianId,
          createdById: caller.principal.userId,
          status: 'waiting',
          audioOnlyDefault: true,
          chatInThread: dto.chatConsent,
        }),
      );
      let booking: MentalHealthBooking;
      try {
        booking = await m.getRepository(MentalHealthBooking).save(
          m.create(MentalHealthBooking, {
            slotId: slot.id,
            missionId: patient.missionId,
            caseId: c.id,
            patientId: patient.id,
            clinicianId: slot.clinicianId,
            bookedById: caller.principal.userId,
            consultationSessionId: session.id,
            chatConsent: dto.chatConsent,
            reminderSentAt: null,
          }),
        );
      } catch (e) {
        if ((e as { code?: string }).code === '23505') throw DomainException.conflict('slotId: this slot was just booked by someone else; choose another slot', 'slot_booked');
        throw e;
      }
      await this.audit.record(
        { ...actorOf(caller), action: 'mental_health.book', outcome: 'success', missionId: patient.missionId, subjectType: 'Case', subjectId: c.id, details: { bookingId: booking.id, slotId: slot.id, sessionId: session.id, chatConsent: dto.chatConsent } },
        m,
      );
      const clinicianZone = await this.zoneOf(slot.clinicianId, m);
      const notify = await this.notifications.record(
        [slot.clinicianId],
        { kind: 'mental_health.booked', caseId: c.id, params: { reference: caseReference(c.id), when: zonedLabel(zonedTime(slot.startsAt, clinicianZone)) }, text: `${caseReference(c.id)}: a mental-health session was booked with you for ${zonedLabel(zonedTime(slot.startsAt, clinicianZone))}` },
        m,
      );
      return { booking, notify };
    });
    this.notifications.publish(notify);
    return this.bookingView(caller, booking.id);
  }

  /**
   * A member of staff books a session for themselves, where one of their missions served by the slot's hospital
   * allows it: no case and no patient record; the session (without a case) is theirs by a named invitation.
   */
  private async bookForSelf(caller: CallerContext, dto: BookSessionDto): Promise<MentalHealthBookingView> {
    const now = this.clock.now();
    const userId = caller.principal.userId;
    const { booking, notify } = await this.dataSource.transaction(async (m) => {
      const slot = await m.getRepository(AvailabilitySlot).findOne({ where: { id: dto.slotId }, lock: { mode: 'pessimistic_write' } });
      const served: { mission_id: string }[] = slot
        ? await m.query('SELECT fm.mission_id FROM facility_missions fm JOIN missions ms ON ms.id = fm.mission_id WHERE fm.facility_id = $1 AND fm.mission_id = ANY($2::uuid[]) ORDER BY ms.code', [slot.facilityId, missionsOf(caller.principal)])
        : [];
      if (!slot || !served.length) throw new DomainException(ErrorCode.NotFound, 'slotId: slot not found', [{ field: 'slotId', problems: ['not found'] }]);
      const allowed = await this.selfBookingMissions(caller, m);
      const missionId = served.map((r) => r.mission_id).find((id) => allowed.includes(id));
      if (!missionId) throw new DomainException(ErrorCode.Forbidden, 'Your mission does not let staff book sessions for themselves: ask your clinic’s officer to book one for you');
      if (slot.clinicianId === userId) throw DomainException.conflict('slotId: this is your own slot', 'own_slot');
      const zone = await this.zoneOf(userId, m);
      if (await m.getRepository(MentalHealthBooking).existsBy({ slotId: slot.id })) throw DomainException.conflict(`slotId: this slot (${zonedLabel(zonedTime(slot.startsAt, zone))}) is already booked; choose another slot`, 'slot_booked', { at: zonedLabel(zonedTime(slot.startsAt, zone)) });
      if (slot.startsAt <= now) throw DomainException.conflict('slotId: this slot has already started; choose a later one', 'slot_started');
      const session = await m.getRepository(ConsultationSession).save(
        m.create(ConsultationSession, { missionId, caseId: null, title: 'Mental-health session', scheduledAt: slot.startsAt, hostId: slot.clinicianId, createdById: userId, status: 'waiting', audioOnlyDefault: true, chatInThread: false }),
      );
      // The staff member's right to join: an invitation naming them, valid until an hour after the slot ends.
      await m.getRepository(ConsultationInvitation).save(
        m.create(ConsultationInvitation, { sessionId: session.id, callRole: 'guest', invitedUserId: userId, tokenHash: createHash('sha256').update(randomBytes(24)).digest('hex'), expiresAt: new Date(slot.endsAt.getTime() + 3600_000), createdById: userId }),
      );
      let booking: MentalHealthBooking;
      try {
        booking = await m.getRepository(MentalHealthBooking).save(
          m.create(MentalHealthBooking, { slotId: slot.id, missionId, caseId: null, patientId: null, forSelf: true, clinicianId: slot.clinicianId, bookedById: userId, consultationSessionId: session.id, chatConsent: false, reminderSentAt: null }),
        );
      } catch (e) {
        if ((e as { code?: string }).code === '23505') throw DomainException.conflict('slotId: this slot was just booked by someone else; choose another slot', 'slot_booked');
        throw e;
      }
      await this.audit.record(
        { ...actorOf(caller), action: 'mental_health.book_self', outcome: 'success', missionId, subjectType: 'MentalHealthBooking', subjectId: booking.id, details: { slotId: slot.id, sessionId: session.id } },
        m,
      );
      const when = zonedLabel(zonedTime(slot.startsAt, await this.zoneOf(slot.clinicianId, m)));
      const reference = sessionReference(booking.id);
      const notify = await this.notifications.record([slot.clinicianId], { kind: 'mental_health.booked', caseId: null, params: { reference, when }, text: `${reference}: a mental-health session was booked with you for ${when}` }, m);
      return { booking, notify };
    });
    this.notifications.publish(notify);
    return this.bookingView(caller, booking.id);
  }

  /** The caller's clinic for the patient: the patient's current clinic when it is one of the caller's, else the caller's clinic in that mission. */
  private async clinicFor(caller: CallerContext, patient: Patient, m: EntityManager): Promise<string> {
    const clinics = clinicalScopeOf(caller.principal).clinicFacilityIds;
    if (patient.currentFacilityId && clinics.includes(patient.currentFacilityId)) return patient.currentFacilityId;
    const [row] = await m.query('SELECT facility_id FROM facility_missions WHERE facility_id = ANY($1::uuid[]) AND mission_id = $2 ORDER BY facility_id LIMIT 1', [clinics, patient.missionId]);
    if (!row) throw new DomainException(ErrorCode.Forbidden, 'Only the staff of a clinic of the patient’s mission can book a session for them');
    return row.facility_id;
  }

  // ---- bookings -------------------------------------------------------------------------------------------

  /** Sessions the caller booked or treats (the only two people who see them), upcoming first. */
  async myBookings(caller: CallerContext): Promise<MentalHealthBookingView[]> {
    const zone = await this.zoneOf(caller.principal.userId);
    const rows: BookingRow[] = await this.dataSource.query(
      `${BOOKING_SQL} LEFT JOIN referral_cases c ON c.id = b.case_id
        WHERE (b.booked_by_id = $1 OR b.clinician_id = $1) AND (b.for_self OR c.requested_by_id = $1 OR c.assigned_doctor_id = $1)
          AND s.ends_at > $2::timestamptz - interval '7 days'
        ORDER BY s.starts_at LIMIT 100`,
      [caller.principal.userId, this.clock.now()],
    );
    return rows.map((r) => this.toBookingView(r, zone));
  }

  /** One booking, checked through its case (the sensitive rule): anyone else gets 404, audited. */
  async bookingView(caller: CallerContext, id: string): Promise<MentalHealthBookingView> {
    const [row]: BookingRow[] = await this.dataSource.query(`${BOOKING_SQL} WHERE b.id = $1`, [id]);
    if (!row) throw DomainException.notFound('Booking');
    if (row.case_id) await this.cases.load(caller, Action.Read, row.case_id);
    else if (row.booked_by_id !== caller.principal.userId && row.clinician_id !== caller.principal.userId) {
      // A member of staff's own session: theirs and the clinician's only.
      throw DomainException.notFound('Booking').deniedOn({ missionId: null, subjectType: 'MentalHealthBooking', subjectId: id, details: { attempted: 'read' } });
    }
    return this.toBookingView(row, await this.zoneOf(caller.principal.userId));
  }

  /**
   * Cancels a booked session: the officer who booked it (or the member of staff, for their own) or the clinician.
   * The slot is free to book again (the booking row goes; the audit record keeps its facts), the scheduled call
   * ends, a self-booking's invitation is revoked and the sensitive case is cancelled with a transition in its
   * thread. A session that has started cannot be cancelled (409). Send an Idempotency-Key: a retry replays the answer.
   */
  async cancel(caller: CallerContext, id: string, note: string | null): Promise<MentalHealthBookingView> {
    const userId = caller.principal.userId;
    const now = this.clock.now();
    const zone = await this.zoneOf(userId);
    let told: Awaited<ReturnType<NotificationsService['record']>> = [];
    const cancelled = await this.dataSource.transaction(async (m) => {
      const [row]: BookingRow[] = await m.query(`${BOOKING_SQL} WHERE b.id = $1 FOR UPDATE OF b`, [id]);
      if (!row) throw DomainException.notFound('Booking');
      // Through its case first (the sensitive rule: its requesting officer and treating clinician), then the two people.
      if (row.case_id) await this.cases.load(caller, Action.Read, row.case_id, m, true);
      if (row.booked_by_id !== userId && row.clinician_id !== userId) {
        throw DomainException.notFound('Booking').deniedOn({ action: 'mental_health.cancel', missionId: null, subjectType: 'MentalHealthBooking', subjectId: id, details: { attempted: 'cancel' } });
      }
      if (row.starts_at <= now) throw DomainException.conflict('This session has started; it can no longer be cancelled', 'booking_not_cancellable', { status: 'started' });
      const view = this.toBookingView(row, zone);
      await m.query('DELETE FROM mental_health_bookings WHERE id = $1', [id]);
      await m.query(`UPDATE consultation_sessions SET status = 'ended', ended_at = $2 WHERE id = $1 AND status <> 'ended'`, [row.consultation_session_id, now]);
      await m.query('UPDATE consultation_invitations SET revoked_at = $2 WHERE session_id = $1 AND revoked_at IS NULL', [row.consultation_session_id, now]);
      if (row.case_id) {
        const [c]: { status: string }[] = await m.query(`SELECT status FROM referral_cases WHERE id = $1`, [row.case_id]);
        if (c && !['closed', 'cancelled'].includes(c.status)) {
          await m.query(`UPDATE referral_cases SET status = 'cancelled', updated_at = now() WHERE id = $1`, [row.case_id]);
          await m.getRepository(CaseTransition).insert({ caseId: row.case_id, fromStatus: c.status, toStatus: 'cancelled', actorId: userId, note: ['Mental-health session cancelled', note].filter(Boolean).join(': ') });
        }
      }
      await this.audit.record(
        {
          ...actorOf(caller),
          action: 'mental_health.cancel',
          outcome: 'success',
          missionId: row.for_self ? null : await this.missionOfCase(m, row.case_id),
          subjectType: row.case_id ? 'Case' : 'MentalHealthBooking',
          subjectId: row.case_id ?? id,
          details: { bookingId: id, slotId: row.slot_id, sessionId: row.consultation_session_id, by: row.clinician_id === userId ? 'clinician' : 'booker' },
        },
        m,
      );
      // The other of the two people is told.
      const other = row.clinician_id === userId ? row.booked_by_id : row.clinician_id;
      const when = zonedLabel(zonedTime(row.starts_at, await this.zoneOf(other, m)));
      told = await this.notifications.record([other], { kind: 'mental_health.cancelled', caseId: row.case_id, params: { reference: view.caseReference, when }, text: `${view.caseReference}: the mental-health session of ${when} was cancelled` }, m);
      return view;
    });
    this.notifications.publish(told);
    return cancelled;
  }

  private async missionOfCase(m: EntityManager, caseId: string | null): Promise<string | null> {
    if (!caseId) return null;
    const [r]: { mission_id: string }[] = await m.query('SELECT mission_id FROM referral_cases WHERE id = $1', [caseId]);
    return r?.mission_id ?? null;
  }

  /** The session as an iCalendar file: times in UTC, described in the viewer's zone; no patient name in it. */
  async calendar(caller: CallerContext, id: string, acceptLanguage?: string): Promise<{ filename: string; body: string }> {
    const b = await this.bookingView(caller, id);
    const [me] = await this.dataSource.query(`SELECT locale FROM users WHERE id = $1`, [caller.principal.userId]);
    const w = CALENDAR_WORDS[calendarLocale(me?.locale ?? null, acceptLanguage)];
    await this.audit.record({ ...actorOf(caller), action: 'mental_health.calendar', outcome: 'success', missionId: null, subjectType: b.caseId ? 'Case' : 'MentalHealthBooking', subjectId: b.caseId ?? b.id, details: { bookingId: id } });
    const cal = ical({ name: w.calendar, prodId: { company: 'field-telemed-hub', product: 'mental-health-sessions', language: w.language }, method: ICalCalendarMethod.PUBLISH });
    cal.createEvent({
      id: `${b.id}@field-telemed-hub`,
      start: new Date(b.startsAt.utc),
      end: new Date(b.endsAt.utc),
      stamp: new Date(b.createdAt),
      summary: w.summary(b.caseReference),
      description: w.description(b.clinicianName, zonedLabel(b.startsAt), b.joinPath),
      url: null,
    });
    return { filename: `session-${b.caseReference}.ics`, body: cal.toString() };
  }

  // ---- reminders ------------------------------------------------------------------------------------------

  /**
   * Sessions starting within REMINDER_MINUTES_BEFORE: each booking is claimed once (UPDATE … WHERE reminder_sent_at
   * IS NULL), so two instances or a restart never send a reminder twice. Returns the bookings reminded.
   */
  async sendReminders(now = this.clock.now()): Promise<string[]> {
    return this.dataSource.transaction(async (m) => {
      const claimed: { id: string; case_id: string | null; clinician_id: string; booked_by_id: string; starts_at: Date }[] = await m.query(
        `UPDATE mental_health_bookings b SET reminder_sent_at = $1
           FROM mental_health_slots s
          WHERE s.id = b.slot_id AND b.reminder_sent_at IS NULL
            AND NOT EXISTS (SELECT 1 FROM referral_cases c WHERE c.id = b.case_id AND c.status IN ('closed', 'cancelled'))
            AND s.starts_at > $1 AND s.starts_at <= $1::timestamptz + make_interval(mins => $2)
        RETURNING b.id, b.case_id, b.clinician_id, b.booked_by_id, s.starts_at`,
        [now, REMINDER_MINUTES_BEFORE],
      ).then((r: unknown[]) => (Array.isArray(r[0]) ? (r[0] as never[]) : (r as never[])));
      for (const b of claimed) {
        const reference = b.case_id ? caseReference(b.case_id) : sessionReference(b.id);
        const minutes = Math.max(1, Math.round((b.starts_at.getTime() - now.getTime()) / 60_000));
        for (const userId of [b.clinician_id, b.booked_by_id]) {
          const when = zonedLabel(zonedTime(b.starts_at, await this.zoneOf(userId, m)));
          const saved = await this.notifications.record(
            [userId],
            { kind: 'mental_health.reminder', caseId: b.case_id, params: { reference, when, minutes }, text: `${reference}: the mental-health session starts in ${minutes} min (${when})` },
            m,
          );
          this.notifications.publish(saved);
        }
      }
      return claimed.map((b) => b.id);
    });
  }

  // ---- views ----------------------------------------------------------------------------------------------

  private slotRows(where: string, params: unknown[]): Promise<SlotRow[]> {
    return this.dataSource.query(
      `SELECT s.id, s.clinician_id, cu.display_name AS clinician_name, s.facility_id, fac.name AS facility_name, s.starts_at, s.ends_at, b.id AS booking_id
         FROM mental_health_slots s
         JOIN users cu ON cu.id = s.clinician_id
         JOIN facilities fac ON fac.id = s.facility_id
         LEFT JOIN mental_health_bookings b ON b.slot_id = s.id
        WHERE ${where}
        ORDER BY s.starts_at, s.id LIMIT 200`,
      params,
    );
  }

  private slotView(r: SlotRow, zone: string, own: boolean): MentalHealthSlotView {
    return {
      id: r.id,
      clinicianId: r.clinician_id,
      clinicianName: r.clinician_name,
      facilityId: r.facility_id,
      facilityName: r.facility_name,
      startsAt: zonedTime(r.starts_at, zone),
      endsAt: zonedTime(r.ends_at, zone),
      durationMinutes: Math.round((r.ends_at.getTime() - r.starts_at.getTime()) / 60_000),
      booked: !!r.booking_id,
      bookingId: own ? r.booking_id : null,
    };
  }

  private toBookingView(r: BookingRow, zone: string): MentalHealthBookingView {
    return {
      id: r.id,
      slotId: r.slot_id,
      caseId: r.case_id,
      caseReference: r.case_id ? caseReference(r.case_id) : sessionReference(r.id),
      patientId: r.patient_id,
      patientName: r.patient_name,
      forSelf: r.for_self,
      clinicianId: r.clinician_id,
      clinicianName: r.clinician_name,
      bookedById: r.booked_by_id,
      bookedByName: r.booked_by_name,
      consultationSessionId: r.consultation_session_id,
      startsAt: zonedTime(r.starts_at, zone),
      endsAt: zonedTime(r.ends_at, zone),
      chatConsent: r.chat_consent,
      createdAt: r.created_at.toISOString(),
      calendarPath: `/api/mental-health/bookings/${r.id}/calendar.ics`,
      joinPath: `/consultations/${r.consultation_session_id}?audioOnly=1`,
    };
  }
}


/** The words of a session's .ics file, per interface language (the web app's catalogues cannot reach a calendar). */
const CALENDAR_WORDS: Record<'en' | 'fr', { calendar: string; language: string; summary: (ref: string) => string; description: (clinician: string, when: string, joinPath: string) => string }> = {
  en: {
    calendar: 'Field Telemedicine Hub',
    language: 'EN',
    summary: (ref) => `Mental-health session ${ref}`,
    description: (clinician, when, joinPath) => `Private session (audio only) with ${clinician}. ${when}. Join from the hub: ${joinPath}`,
  },
  fr: {
    calendar: 'Plateforme de télémédecine de terrain',
    language: 'FR',
    summary: (ref) => `Séance de santé mentale ${ref}`,
    description: (clinician, when, joinPath) => `Séance privée (audio seul) avec ${clinician}. ${when}. À rejoindre depuis la plateforme : ${joinPath}`,
  },
};

/** The reader's language: their stored choice, else the first of the browser's languages we speak, else English. */
function calendarLocale(stored: string | null, acceptLanguage?: string): 'en' | 'fr' {
  if (stored === 'fr' || stored === 'en') return stored;
  const first = (acceptLanguage ?? '')
    .split(',')
    .map((part) => part.trim().slice(0, 2).toLowerCase())
    .find((l) => l === 'fr' || l === 'en');
  return first === 'fr' ? 'fr' : 'en';
}
