/**
 * Why the hub answered 409 CONFLICT (`params.reason` of the error body), so a client can say it in plain words in
 * its reader's language (the web app's `reasons.<reason>` sentences; the catalogue test checks each has one). The
 * other members of `params` are the values of that sentence.
 */
export const CONFLICT_REASONS = [
  /** `code`: a mission with this code exists. */
  'mission_code_taken',
  /** A new account's e-mail address is taken (the answer names no one). */
  'email_taken',
  'membership_exists',
  'mfa_already_enabled',
  'mfa_not_started',
  /** `patientId`: the service number is registered in the mission already. */
  'service_number_taken',
  /** `status`: only a draft case can be edited. */
  'case_not_draft',
  /** `status` (closed or cancelled): the case's thread or files are closed. */
  'case_closed',
  /** `action`, `status`, `allowed`: the case's status does not allow this step. */
  'case_status',
  'upload_complete',
  'certificate_revoked',
  'waiver_revoked',
  'quiz_passed',
  /** `max`, `version`. */
  'attempt_limit',
  'attempt_submitted',
  /** `attemptVersion`, `version`. */
  'course_version_changed',
  /** The case has no reference doctor yet (not accepted): no call. */
  'case_not_accepted',
  /** `status`: no call can be started on a case in this status. */
  'case_no_call',
  'host_always_in_call',
  /** A live-consultation socket already in another consultation. */
  'other_consultation',
  /** The case has a follow-up plan already. */
  'plan_exists',
  /** `day`: this follow-up check was recorded already. */
  'check_recorded',
  /** `at` (optional): a mental-health slot is booked already. */
  'slot_booked',
  /** `at`: the clinician already offers a slot overlapping these. */
  'slot_overlaps',
  /** The slot has already started. */
  'slot_started',
  /** A clinician cannot book their own slot. */
  'own_slot',
  /** A field node offered a file under an attachment id another file holds. */
  'attachment_id_taken',
  /** `chain`, `seq`: a field node's audit record differs from the one the hub holds (a forked trail). */
  'audit_forked',
  /** The caller reads this case already: no break-the-glass needed. */
  'break_glass_not_needed',
  /** `status`: the mental-health booking was cancelled already, or its session has started. */
  'booking_not_cancellable',
  /** A consultation without a case cannot be recorded (nothing to attach the file to). */
  'recording_unavailable',
] as const;

export type ConflictReason = (typeof CONFLICT_REASONS)[number];
