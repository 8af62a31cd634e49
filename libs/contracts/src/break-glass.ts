/** Break-the-glass (docs/security-model.md): emergency read access to one case of the clinician's mission. */
export type BreakGlassReviewState = 'pending' | 'accepted' | 'flagged';
export const BREAK_GLASS_REVIEW_STATES: readonly BreakGlassReviewState[] = ['pending', 'accepted', 'flagged'];
/** Shortest reason a clinician may state (characters, after trimming). */
export const BREAK_GLASS_REASON_MIN = 10;

/** The grant through which the caller reads a case now (shown as a banner on the case's pages). */
export interface EmergencyAccessView {
  grantId: string;
  reason: string;
  expiresAt: string;
}

export interface BreakGlassGrantView {
  id: string;
  caseId: string;
  caseReference: string | null;
  missionId: string;
  userId: string;
  userName: string | null;
  reason: string;
  startedAt: string;
  expiresAt: string;
  /** Still running now. */
  active: boolean;
  reviewState: BreakGlassReviewState;
  reviewNote: string | null;
  reviewedAt: string | null;
  reviewedByName: string | null;
}
