/**
 * Mental-health sessions (docs/consultations.md, "Mental-health sessions"): psychologists and psychiatrists at
 * reference hospitals publish slots; an officer books one for a patient. Times are stored in UTC and every view
 * also gives them in the viewer's zone (their facility's, else their mission's), with the zone named.
 */

/** One instant: UTC, and the wall time in the viewer's zone. */
export interface ZonedTimeView {
  /** ISO 8601 UTC. */
  utc: string;
  /** IANA zone of the viewer (e.g. Africa/Bangui). */
  timeZone: string;
  /** Wall time there, `YYYY-MM-DD HH:mm`. */
  local: string;
  /** Offset from UTC there, `UTC+01:00`. */
  offset: string;
}

export interface MentalHealthSlotView {
  id: string;
  clinicianId: string;
  clinicianName: string;
  facilityId: string;
  facilityName: string;
  startsAt: ZonedTimeView;
  endsAt: ZonedTimeView;
  durationMinutes: number;
  booked: boolean;
  /** Set for the slot's clinician only. */
  bookingId: string | null;
}

/** `GET /api/mental-health/slots` and `/slots/open`: the viewer's zone (to enter wall times in it) and the slots. */
export interface MentalHealthSlotList {
  timeZone: string;
  items: MentalHealthSlotView[];
}

/** `POST /api/mental-health/slots`: `count` consecutive slots of `durationMinutes`, the first at `startsAt`. */
export interface PublishSlotsRequest {
  /** ISO 8601 with `Z` or an explicit offset (a wall time without zone is refused). */
  startsAt: string;
  durationMinutes: number;
  count?: number;
  /** The reference hospital; optional when the clinician works at one only. */
  facilityId?: string;
}

/** `POST /api/mental-health/bookings` (send an Idempotency-Key). */
export interface BookSessionRequest {
  slotId: string;
  /** The patient (an officer booking for a patient of their clinic's mission). */
  patientId?: string;
  /** A member of staff books for themselves, where their mission allows it (`staffSelfBooking`): no patient, no case. */
  forSelf?: boolean;
  /** Why the session is needed (kept on the sensitive case). */
  reason: string;
  /** The patient agreed that chat in the call is kept in the case thread. */
  chatConsent: boolean;
}

export interface MentalHealthBookingView {
  id: string;
  slotId: string;
  /** The sensitive case (null for a member of staff's own session). */
  caseId: string | null;
  /** The case reference (C-…), or the session's (S-…) for a member of staff's own session. */
  caseReference: string;
  patientId: string | null;
  /** The patient, or the member of staff who booked for themselves. */
  patientName: string;
  forSelf: boolean;
  clinicianId: string;
  clinicianName: string;
  bookedById: string;
  bookedByName: string;
  consultationSessionId: string;
  startsAt: ZonedTimeView;
  endsAt: ZonedTimeView;
  chatConsent: boolean;
  createdAt: string;
  /** iCalendar download of the session. */
  calendarPath: string;
  /** The call, joined audio-only. */
  joinPath: string;
}
