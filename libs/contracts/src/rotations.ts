/** Rotations of contingents: membership end dates, hand-over, import of an incoming rotation (docs/cases.md). */

export interface HandOverResult {
  /** Open cases whose responsible officer changed (to the successor, or to the clinic when none was named). */
  cases: { id: string; reference: string }[];
  /** Follow-up checks still to record on those cases (they follow their case). */
  checks: number;
  successorId: string | null;
}

export type RotationRowStatus = 'created' | 'already_imported' | 'refused';

export interface RotationRowReport {
  /** Line of the CSV file (the header is line 1). */
  line: number;
  email: string | null;
  status: RotationRowStatus;
  /** Why the row was refused, naming the column. */
  reason: string | null;
  userId: string | null;
}

export interface RotationImportResult {
  cohortId: string;
  cohortName: string;
  created: number;
  alreadyImported: number;
  refused: number;
  rows: RotationRowReport[];
}

/** A case of the mission whose responsible officer's rotation ended without handing it over. */
export interface UnassignedCaseView {
  caseId: string;
  reference: string;
  facilityName: string;
  formerOfficerName: string;
  endedAt: string;
  pendingChecks: number;
}
