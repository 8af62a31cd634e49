import Dexie, { type EntityTable } from 'dexie';

/** A form being typed, kept on this device (per user) so a reload, a crash or a cut link loses nothing. */
export interface DraftRow {
  /** `${userId}:${form}` */
  id: string;
  userId: string;
  form: string;
  value: unknown;
  /** Idempotency key of the logical action this draft will become; the same on every retry of that action. */
  key: string;
  updatedAt: number;
}

export interface OutboxFile {
  name: string;
  blob: Blob;
  /** Set once the hub has the whole file. */
  attachmentId?: string;
}

/**
 * An action saved on this device until the hub confirms it. Its id is the idempotency key of the action; each of its
 * requests sends a key derived from it, so a replay after a lost answer never makes a second record.
 */
export interface OutboxRow {
  id: string;
  userId: string;
  /** What the user sees in the list, in plain words. */
  label: string;
  createdAt: number;
  state: 'waiting' | 'sending' | 'refused';
  /** Why it waits or was refused, in plain words. */
  note?: string;
  /** The draft this action came from: deleted once the action is through. */
  draftId?: string;
  /** Create a draft case with this body first (the new-case form). */
  createCase?: Record<string, unknown>;
  /** The case the files and the request belong to (known, or created by `createCase`). */
  caseId?: string;
  files: OutboxFile[];
  /** The write itself; with files, their attachment ids are added to the body as `attachmentIds`. */
  request?: { method: 'POST' | 'PATCH' | 'PUT'; path: string; body: Record<string, unknown>; done?: boolean };
  /** Submit the case to the specialists at the end (the new-case form). */
  submit?: boolean;
  /** Where to go once it is through (e.g. the case page). */
  resultPath?: string;
}

class OfflineDatabase extends Dexie {
  drafts!: EntityTable<DraftRow, 'id'>;
  outbox!: EntityTable<OutboxRow, 'id'>;
  constructor() {
    super('hub-offline');
    this.version(1).stores({ drafts: 'id, userId', outbox: 'id, userId, createdAt' });
  }
}

export const offlineDb = new OfflineDatabase();

/** A new idempotency key (random UUID; the page is a secure context: https or localhost). */
export const newKey = (): string => crypto.randomUUID();
