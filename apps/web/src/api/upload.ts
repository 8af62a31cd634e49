import * as tus from 'tus-js-client';
import { currentAccessToken, refresh } from './client';

export interface UploadProgress {
  name: string;
  sent: number;
  total: number;
  state: 'hashing' | 'uploading' | 'done' | 'failed';
  error?: string;
}

async function sha256(file: File): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', await file.arrayBuffer());
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, '0')).join('');
}

/**
 * Uploads one file to a case with tus: 256 KB chunks, retried with back-off, resumable after a cut link (tus-js-client
 * remembers the upload in local storage, so even a reload resumes). Resolves with the attachment id.
 */
export async function uploadToCase(caseId: string, file: File, onProgress: (p: UploadProgress) => void): Promise<string> {
  onProgress({ name: file.name, sent: 0, total: file.size, state: 'hashing' });
  const hash = await sha256(file);
  return new Promise((resolve, reject) => {
    const upload = new tus.Upload(file, {
      endpoint: '/api/uploads',
      chunkSize: 256 * 1024,
      retryDelays: [0, 1000, 3000, 5000, 10000, 20000],
      metadata: { caseId, filename: file.name, sha256: hash },
      // Resume only an upload of the same file to the same case.
      fingerprint: async () => ['hub', caseId, file.name, file.size, file.lastModified, hash].join('-'),
      removeFingerprintOnSuccess: true,
      onBeforeRequest: (req) => {
        const token = currentAccessToken();
        if (token) req.setHeader('Authorization', `Bearer ${token}`);
      },
      onShouldRetry: (err) => {
        const status = (err as tus.DetailedError).originalResponse?.getStatus() ?? 0;
        if (status === 401) void refresh();
        return status === 0 || status === 401 || status >= 500 || status === 423;
      },
      onProgress: (sent, total) => onProgress({ name: file.name, sent, total, state: 'uploading' }),
      onSuccess: (payload) => {
        const id = payload.lastResponse.getHeader('X-Attachment-Id');
        onProgress({ name: file.name, sent: file.size, total: file.size, state: 'done' });
        if (id) resolve(id);
        else reject(new Error('the hub did not confirm the file'));
      },
      onError: (err) => {
        const body = (err as tus.DetailedError).originalResponse?.getBody();
        let message = err.message;
        try {
          message = body ? (JSON.parse(body).message ?? body) : message;
        } catch {
          message = body || message;
        }
        onProgress({ name: file.name, sent: 0, total: file.size, state: 'failed', error: message });
        reject(new Error(message));
      },
    });
    upload.findPreviousUploads().then((previous) => {
      if (previous.length) upload.resumeFromPreviousUpload(previous[0]);
      upload.start();
    });
  });
}
