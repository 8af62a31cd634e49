import type { FieldNodeView } from './sync';

/**
 * What the web app reads of a field node's sync (docs/field-node.md, "Sync status"): the node's own routes
 * `GET /api/node/status` and `GET /api/node/queue`, which exist only on a node (the hub answers 404, which is how
 * the app knows it is served by the hub), and the node's state on the hub's dashboard.
 */

export type NodeLinkState = 'not_enrolled' | 'connected' | 'offline' | 'revoked';

/** The file moving now between node and hub (1-based place in this round's queue). */
export interface NodeTransferProgress {
  direction: 'up' | 'down';
  filename: string;
  index: number;
  total: number;
  percent: number;
}

/** GET /api/node/status (apps/field-node/src/node-sync.ts answers it as `NodeSyncStatus`). */
export interface NodeStatusView {
  state: NodeLinkState;
  /** English sentence for logs and older clients; the web app builds its own from the fields, in the reader's language. */
  message: string;
  /** Outbox operations not yet acknowledged by the hub. */
  waiting: number;
  /** Operations the hub refused or kept as conflicts, newest first, with the hub's reason. */
  attention: { opId: string; table: string; recordId: string; status: string; reason: string | null }[];
  offlineSince: string | null;
  lastSyncAt: string | null;
  facilityName: string | null;
  files: { up: number; down: number; current: NodeTransferProgress | null; volumeExhaustedOn: string | null };
}

/** One change in the node's outbox, as the sync page lists it (no clinical content: what, when, who, which record). */
export interface NodeQueuedOperation {
  opId: string;
  table: 'patients' | 'referral_cases' | 'case_messages';
  recordId: string;
  /** The case a case or message belongs to (a link to it), null for a patient. */
  caseId: string | null;
  madeAt: string;
  actorName: string | null;
  status: 'pending' | 'refused' | 'conflict';
  reason: string | null;
}

/** A file waiting to go up to the hub or come down from it, or refused by the hub. */
export interface NodeQueuedFile {
  attachmentId: string;
  caseId: string;
  filename: string;
  size: number;
  direction: 'up' | 'down';
  status: 'pending' | 'refused';
  /** Bytes already here, for a file coming down; null when unknown (going up: the current transfer's percent). */
  receivedBytes: number | null;
  reason: string | null;
}

/** GET /api/node/queue: the sync page's list (at most 200 operations, oldest first, and every file not done). */
export interface NodeQueueView {
  operations: NodeQueuedOperation[];
  /** Operations waiting in all (the list may be cut). */
  waiting: number;
  files: NodeQueuedFile[];
}

/**
 * A field node as the health manager's dashboard shows it (GET /api/monitoring/dashboard `fieldNodes`): the node as
 * administration shows it, and its silence.
 */
export interface FieldNodeHealth extends FieldNodeView {
  /** Not heard from for `silentAfterHours` hours (enrolled, not revoked). */
  silent: boolean;
  /** The mission's threshold (missions.field_node_silent_hours) or the hub's default (FIELD_NODE_SILENT_HOURS). */
  silentAfterHours: number;
}
