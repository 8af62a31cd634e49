/** Field-node sync: bodies exchanged between a node and the hub (docs/field-node.md). */

/**
 * Tables a node writes and pushes. Case transitions are not pushed: their keys are the hub's sequence, so the hub
 * writes its own when it applies a status change, and the node's are provisional until the hub's arrive.
 */
export const PUSHED_TABLES = ['patients', 'referral_cases', 'case_messages'] as const;
export type PushedTable = (typeof PUSHED_TABLES)[number];

/** Tables a node receives, in the order a snapshot applies them (referenced rows first). */
export const PULLED_TABLES = [
  'missions',
  'facilities',
  'facility_missions',
  'specialties',
  'training_courses',
  'users',
  'memberships',
  'training_certificates',
  'training_waivers',
  'patients',
  'referral_cases',
  'case_transitions',
  'case_messages',
  'case_attachments',
] as const;
export type PulledTable = (typeof PULLED_TABLES)[number];

export interface SyncOperation {
  /** UUIDv7 made on the node with the change; the hub applies each op id once. */
  opId: string;
  table: PushedTable;
  recordId: string;
  /** The record as the node wrote it (column names in snake_case, as to_jsonb gives them). */
  row: Record<string, unknown>;
  /** The user who made the change on the node. */
  actorId: string;
  /** When the change was made on the node (ISO 8601). */
  at: string;
}

export type SyncOperationResult = 'applied' | 'duplicate' | 'conflict' | 'refused';

export interface PushRequest {
  operations: SyncOperation[];
  /** Outbox rows still waiting on the node, this batch included. */
  backlog: number;
  version: string;
}

export interface PushResponse {
  results: { opId: string; result: SyncOperationResult; reason?: string }[];
}

export interface PulledChange {
  table: PulledTable;
  /** Primary key; for facility_missions "facilityId:missionId". */
  id: string;
  /** The record as it is now on the hub; null when deleted. */
  row: Record<string, unknown> | null;
}

export interface PullResponse {
  changes: PulledChange[];
  /** Opaque position to send back; never skips a change committed later. */
  cursor: string;
  more: boolean;
  /**
   * Set on the pages of a snapshot (a node's first pull, or a node whose cursor is older than the pruned change
   * log): `restart` on its first page (rows the node held before may be gone from its scope), `done` on its last
   * (the node then drops the rows of the hub's tables that no page carried; the log follows from `cursor`).
   */
  snapshot?: { restart: boolean; done: boolean };
  /** The node's bandwidth budget for attachments, as its mission set it on the hub (null: unlimited). */
  budget?: NodeBudget;
}

/** Per-node bandwidth budget a mission sets for attachments (docs/field-node.md, "Attachments"). */
export interface NodeBudget {
  rateKbps: number | null;
  dailyMegabytes: number | null;
}

/** A node's attachment announced to the hub before its bytes (POST /api/sync/attachments, idempotent by id). */
export interface AttachmentOffer {
  id: string;
  caseId: string;
  messageId: string | null;
  uploadId: string;
  filename: string;
  size: number;
  sha256: string;
  uploadedById: string;
  /** When it was attached on the node (ISO 8601): the uploader's rights are checked as they were then. */
  createdAt: string;
}

/** Where the hub stands with a node's attachment: bytes acknowledged so far, and its state. */
export interface AttachmentProgress {
  id: string;
  offset: number;
  size: number;
  status: 'uploading' | 'ready' | 'rejected';
  reason?: string;
}

/**
 * One answer of a batch of announcements (`POST /api/sync/attachments/offers`): where the file stands, or the error
 * the single announcement would have answered (404: its case is not on the hub yet; 403: refused, with the reason).
 */
export type AttachmentOfferResult =
  | { id: string; status: 200; progress: AttachmentProgress }
  | { id: string; status: number; code: string; message: string };

export interface EnrolRequest {
  code: string;
  /**
   * Made by the node and kept before the call, so a retried enrolment (the answer lost on the link) is recognised:
   * the hub stores only its hash.
   */
  credential: string;
  version: string;
}

export interface EnrolResponse {
  nodeId: string;
  missionId: string;
  facilityId: string;
  facilityName: string;
}

export interface FieldNodeView {
  id: string;
  name: string;
  missionId: string;
  facilityId: string;
  facilityName: string;
  status: 'awaiting_enrolment' | 'active' | 'revoked';
  enrolledAt: string | null;
  lastContactAt: string | null;
  backlog: number | null;
  version: string | null;
  revokedAt: string | null;
}

export interface RegisteredFieldNode extends FieldNodeView {
  /** Shown once; the hub keeps only its hash. */
  enrolmentCode: string;
  enrolmentExpiresAt: string;
}

/** A node's sealed audit records, shipped to the hub with the data (POST /api/sync/audit). */
export interface NodeAuditBatch {
  records: {
    chain: string;
    /** Place in the node's chain (1, 2, …), as a string (bigint). */
    seq: string;
    prevHash: string;
    hash: string;
    /** The record as the node holds it (columns in snake_case). */
    entry: Record<string, unknown>;
  }[];
}

export interface NodeAuditReceipt {
  /** Per chain, the last record the hub holds: the node ships from the next one. */
  heads: { chain: string; seq: string }[];
}
