import type { CaseView } from '@hub/contracts';
import { api, ApiError, errorMessage, get, post } from '../api/client';
import { uploadToCase, UploadProgress } from '../api/upload';
import { newKey, offlineDb, OutboxRow } from './db';
import { link, waitForLinkOr } from './link';
import { S } from './strings';

/**
 * The browser outbox: actions saved in IndexedDB until the hub confirms them, sent in order when the link allows.
 * Every request of an action carries an idempotency key derived from the action's id, so a retry after a lost answer,
 * a double click or a second tab replays the first answer instead of making a second record (server contract in
 * docs/web-offline.md). Uploads inside an action retry for as long as the action waits.
 */
export type Outcome = { state: 'sent'; path?: string } | { state: 'queued' } | { state: 'refused'; error: ApiError };

let userId: string | null = null;
const waiters = new Map<string, ((o: Outcome) => void)[]>();
const settledListeners = new Set<(id: string, o: Outcome) => void>();
const progressListeners = new Set<() => void>();
const uploads = new Map<string, UploadProgress[]>();

/** Transient: no answer, an expired session, or a hub problem. Anything else is the hub's refusal. */
const transient = (e: unknown) => !(e instanceof ApiError) || e.status === 0 || e.status === 401 || e.status === 408 || e.status === 429 || e.status >= 500;

const asApiError = (e: unknown) =>
  e instanceof ApiError ? e : new ApiError(0, { statusCode: 0, code: 'CLIENT', message: errorMessage(e), errorId: '' });

function settle(id: string, outcome: Outcome) {
  const list = waiters.get(id) ?? [];
  waiters.delete(id);
  list.forEach((w) => w(outcome));
  settledListeners.forEach((l) => l(id, outcome));
}

function track(id: string, p: UploadProgress) {
  uploads.set(id, [...(uploads.get(id) ?? []).filter((x) => x.name !== p.name), p]);
  progressListeners.forEach((l) => l());
}

async function patchRow(id: string, changes: Partial<OutboxRow>) {
  await offlineDb.outbox.update(id, changes);
}

/** Runs one action from where it stopped. Each finished step is written down before the next one starts. */
async function processOne(row: OutboxRow): Promise<Outcome> {
  try {
    await patchRow(row.id, { state: 'sending', note: undefined });
    if (row.createCase && !row.caseId) {
      const created = await post<CaseView>('/api/cases', row.createCase, { idempotencyKey: row.id });
      row.caseId = created.id;
      await patchRow(row.id, { caseId: created.id });
    }
    for (let i = 0; i < row.files.length; i++) {
      const f = row.files[i];
      if (f.attachmentId) continue;
      f.attachmentId = await uploadToCase(row.caseId!, f.blob, f.name, (p) => track(row.id, p), `${row.id}:${i}`);
      await patchRow(row.id, { files: row.files });
    }
    if (row.request && !row.request.done) {
      const body = row.files.length ? { ...row.request.body, attachmentIds: row.files.map((f) => f.attachmentId) } : row.request.body;
      const path = row.request.path.replace(':caseId', row.caseId ?? '');
      await api(row.request.method, path, body, { idempotencyKey: row.createCase ? `${row.id}:request` : row.id });
      row.request.done = true;
      await patchRow(row.id, { request: row.request });
    }
    if (row.submit && row.caseId) {
      try {
        await post(`/api/cases/${row.caseId}/submit`, {}, { idempotencyKey: `${row.id}:submit` });
      } catch (e) {
        // A submit whose answer was lost and that the hub does not replay yet: the case is already past draft.
        if (transient(e)) throw e;
        const now = await get<CaseView>(`/api/cases/${row.caseId}`);
        if (now.status === 'draft') throw e;
      }
    }
    await offlineDb.transaction('rw', offlineDb.outbox, offlineDb.drafts, async () => {
      await offlineDb.outbox.delete(row.id);
      if (row.draftId) {
        const draft = await offlineDb.drafts.get(row.draftId);
        if (draft?.key === row.id) await offlineDb.drafts.delete(row.draftId);
      }
    });
    uploads.delete(row.id);
    return { state: 'sent', path: row.resultPath?.replace(':caseId', row.caseId ?? '') };
  } catch (e) {
    if (transient(e)) {
      const status = e instanceof ApiError ? e.status : 0;
      await patchRow(row.id, { state: 'waiting', note: status === 401 ? S.sessionNeeded : status >= 500 ? S.hubProblem : S.outboxWaiting });
      return { state: 'queued' };
    }
    const error = asApiError(e);
    await offlineDb.transaction('rw', offlineDb.outbox, offlineDb.drafts, async () => {
      await patchRow(row.id, { state: 'refused', note: error.plainMessage });
      // The corrected draft is a new action: the hub keeps the refused one's answer under the old key.
      if (row.draftId) await offlineDb.drafts.where('id').equals(row.draftId).modify((d) => {
        if (d.key === row.id) d.key = newKey();
      });
    });
    return { state: 'refused', error };
  }
}

async function processAll() {
  if (!userId) return;
  const rows = await offlineDb.outbox.where('userId').equals(userId).sortBy('createdAt');
  for (const row of rows) {
    if (row.state === 'refused') continue;
    const outcome = await processOne(row);
    settle(row.id, outcome);
    // The link is down (or the hub unwell): keep the order, wait for it.
    if (outcome.state === 'queued') break;
  }
}

let running: Promise<void> | null = null;
let again = false;

/** Sends what waits, one action at a time (one tab at a time, by a Web Lock); later calls join the running pass. */
export function flushOutbox(): Promise<void> {
  if (running) {
    again = true;
    return running;
  }
  running = (async () => {
    do {
      again = false;
      const pass = async () => processAll();
      await (navigator.locks ? navigator.locks.request('hub-outbox', pass) : pass());
    } while (again);
    // Whatever was not reached waits for the next pass.
    for (const id of [...waiters.keys()]) settle(id, { state: 'queued' });
  })()
    .catch(() => undefined)
    .finally(() => {
      running = null;
      void scheduleRetry();
    });
  return running;
}

let retryTimer: Promise<void> | null = null;
let retries = 0;

/** While something waits: another pass when the link returns, or after a back-off (10 s … 2 min). */
async function scheduleRetry() {
  if (retryTimer || !userId) return;
  const left = await offlineDb.outbox.where('userId').equals(userId).filter((r) => r.state !== 'refused').count();
  if (!left) {
    retries = 0;
    return;
  }
  retryTimer = waitForLinkOr(Math.min(120_000, 10_000 * 2 ** Math.min(retries++, 4)));
  await retryTimer;
  retryTimer = null;
  void flushOutbox();
}

/**
 * Saves an action (once: a second call with the same id, a double click, changes nothing) and tries to send it at
 * once. Resolves with what happened: sent, queued until the link returns, or refused by the hub. A refused action
 * sent from a form is dropped from the outbox (the form shows the error and still holds the draft).
 */
export async function send(row: Omit<OutboxRow, 'createdAt' | 'state' | 'userId'>, fromForm = true): Promise<Outcome> {
  if (!userId) throw new Error('not signed in');
  const uid = userId;
  await offlineDb.transaction('rw', offlineDb.outbox, async () => {
    if (!(await offlineDb.outbox.get(row.id))) await offlineDb.outbox.add({ ...row, userId: uid, createdAt: Date.now(), state: 'waiting' });
  });
  const outcome = new Promise<Outcome>((resolve) => waiters.set(row.id, [...(waiters.get(row.id) ?? []), resolve]));
  void flushOutbox();
  const result = await outcome;
  if (result.state === 'refused' && fromForm) await offlineDb.outbox.delete(row.id);
  return result;
}

/** Starts sending the signed-in user's waiting actions (at sign-in, at start-up, and whenever the link returns). */
export function startOutbox(id: string): () => void {
  userId = id;
  // An action cut by a closed tab is picked up again from where it stopped.
  void offlineDb.outbox
    .where('userId')
    .equals(id)
    .modify((r) => {
      if (r.state === 'sending') r.state = 'waiting';
    })
    .then(() => flushOutbox());
  const off = link.onBack(() => void flushOutbox());
  return () => {
    off();
    if (userId === id) userId = null;
  };
}

export async function discard(id: string) {
  await offlineDb.outbox.delete(id);
  uploads.delete(id);
  progressListeners.forEach((l) => l());
}

export function onSettled(fn: (id: string, o: Outcome) => void): () => void {
  settledListeners.add(fn);
  return () => settledListeners.delete(fn);
}

export const uploadsOf = (id: string) => uploads.get(id) ?? [];
export function onUploadProgress(fn: () => void): () => void {
  progressListeners.add(fn);
  return () => progressListeners.delete(fn);
}
