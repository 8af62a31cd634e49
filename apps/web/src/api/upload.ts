import * as tus from 'tus-js-client';
import { link, waitForLinkOr } from '../offline/link';
import { S } from '../offline/strings';
import { currentAccessToken, refresh } from './client';

export interface UploadProgress {
  name: string;
  sent: number;
  total: number;
  /** waiting: the link is down and the upload will resume by itself; resuming: asking the hub where it stopped. */
  state: 'hashing' | 'uploading' | 'waiting' | 'resuming' | 'done' | 'failed';
  /** What is happening, in plain words ("Link lost — will resume", "Resuming at 28 %"), or why it failed. */
  error?: string;
  note?: string;
}

async function sha256(file: Blob): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', await file.arrayBuffer());
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, '0')).join('');
}

/** Back-off between attempts while the link is down: 1 s, 2 s, 4 s … up to 30 s, cut short when the link returns. */
const backOff = (attempt: number) => Math.min(30_000, 1000 * 2 ** Math.min(attempt, 5));
/** An upload that has sent nothing for this long is restarted (a link that died without an error). */
const STALL_MS = 30_000;

const statusOf = (err: unknown) => (err as tus.DetailedError).originalResponse?.getStatus() ?? 0;
/** No answer (0), an expired session (401), a locked upload (423) or a hub problem (5xx): try again later. */
const transient = (status: number) => status === 0 || status === 401 || status === 423 || status === 408 || status === 429 || status >= 500;

/** The hub's sentence for a refusal, never the browser's event object. */
function refusal(err: unknown, name: string): string {
  const res = (err as tus.DetailedError).originalResponse;
  const body = res?.getBody();
  if (body) {
    try {
      const parsed = JSON.parse(body) as { message?: unknown };
      if (typeof parsed.message === 'string') return parsed.message;
    } catch {
      // not JSON
    }
  }
  return S.uploadRefused(name, res?.getStatus() ?? 0);
}

/**
 * Uploads one file to a case with tus and resolves with the attachment id. 256 KB chunks; a cut link never fails the
 * upload: it waits (saying so), retries with back-off for as long as the caller holds it, resumes at once when the
 * link returns (the `online` event or any answered request) from where the hub stopped, and the bar never goes back.
 * tus-js-client keeps the upload's address in local storage under `fingerprint`, so a reload resumes too. Only a
 * refusal by the hub (a 4xx other than 401/408/423/429) rejects, with the hub's message.
 */
export async function uploadToCase(
  caseId: string,
  file: Blob,
  name: string,
  onProgress: (p: UploadProgress) => void,
  fingerprint?: string,
): Promise<string> {
  onProgress({ name, sent: 0, total: file.size, state: 'hashing', note: S.checking });
  const hash = await sha256(file);
  let shown = 0;
  const report = (state: UploadProgress['state'], sent: number, note?: string) => {
    shown = Math.max(shown, Math.min(sent, file.size));
    onProgress({ name, sent: shown, total: file.size, state, note });
  };
  const pct = () => (file.size ? Math.floor((shown / file.size) * 100) : 0);

  return new Promise((resolve, reject) => {
    let lastActivity = Date.now();
    let failures = 0;
    let settled = false;
    let waiting = false;
    const upload = new tus.Upload(file, {
      endpoint: '/api/uploads',
      chunkSize: 256 * 1024,
      // tus's own quick retries; beyond them this function keeps trying (restart below).
      retryDelays: [0, 1000],
      metadata: { caseId, filename: name, sha256: hash },
      // Resume only an upload of the same bytes to the same case (and the same outbox entry when given).
      fingerprint: async () => ['hub', caseId, fingerprint ?? '', name, file.size, hash].join('-'),
      removeFingerprintOnSuccess: true,
      onBeforeRequest: (req) => {
        const token = currentAccessToken();
        if (token) req.setHeader('Authorization', `Bearer ${token}`);
      },
      onAfterResponse: () => {
        link.ok();
      },
      onShouldRetry: (err) => {
        const status = statusOf(err);
        if (status === 401) void refresh();
        if (status === 0) report('waiting', shown, S.linkLost);
        return transient(status);
      },
      onProgress: (sent) => {
        lastActivity = Date.now();
        failures = 0;
        report('uploading', sent, undefined);
      },
      onSuccess: (payload) => {
        settled = true;
        clearInterval(watchdog);
        const id = payload.lastResponse.getHeader('X-Attachment-Id');
        if (id) {
          report('done', file.size, S.sent);
          resolve(id);
        } else {
          onProgress({ name, sent: shown, total: file.size, state: 'failed', error: S.noConfirmation });
          reject(new Error(S.noConfirmation));
        }
      },
      onError: (err) => {
        const status = statusOf(err);
        if (!transient(status)) {
          settled = true;
          clearInterval(watchdog);
          const message = refusal(err, name);
          onProgress({ name, sent: shown, total: file.size, state: 'failed', error: message });
          reject(new Error(message));
          return;
        }
        if (status === 0) link.lost();
        void restartLater();
      },
    });

    async function restartLater() {
      if (waiting || settled) return;
      waiting = true;
      report('waiting', shown, S.linkLost);
      await waitForLinkOr(backOff(failures++));
      waiting = false;
      if (settled) return;
      report('resuming', shown, S.resumingAt(pct()));
      lastActivity = Date.now();
      upload.start();
    }

    // A request that hangs on a dead link gives no error: restart it when nothing moved for a while, or at once when
    // the link comes back while it hangs.
    const restartIfStalled = (force: boolean) => {
      if (settled || waiting) return;
      if (force || Date.now() - lastActivity > STALL_MS) {
        void upload.abort(false).then(() => restartLater());
      }
    };
    const watchdog = setInterval(() => restartIfStalled(false), 5000);

    upload.findPreviousUploads().then((previous) => {
      if (previous.length) upload.resumeFromPreviousUpload(previous[0]);
      upload.start();
    });
  });
}
