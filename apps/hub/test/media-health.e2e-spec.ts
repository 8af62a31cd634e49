import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MediaService } from '@hub/media';
import { bearer, createTestHub } from '@hub/testing';
import { caseBody, PATIENT } from './fixtures';

/** Readiness reports live media; without a worker the hub still runs the store-and-forward workflow. */
describe('live media in readiness', () => {
  it('reports media ok when the worker pool runs', async () => {
    const hub = await createTestHub({ LOG_LEVEL: 'error' });
    try {
      const res = await hub.http().get('/api/health/ready').expect(200);
      expect(res.body).toEqual({ status: 'ready', database: 'ok', files: 'ok', media: 'ok' });
      expect(hub.app.get(MediaService).workerPids()).toHaveLength(1);
    } finally {
      await hub.close();
    }
  });

  it('starts without a mediasoup worker, says why, and cases still work', async () => {
    const saved = process.env.MEDIASOUP_WORKER_CACHE;
    process.env.MEDIASOUP_WORKER_CACHE = mkdtempSync(join(tmpdir(), 'no-worker-'));
    const hub = await createTestHub({
      LOG_LEVEL: 'silent',
      MEDIASOUP_WORKER_BIN: '/nonexistent/mediasoup-worker',
    }).finally(() => {
      if (saved === undefined) delete process.env.MEDIASOUP_WORKER_CACHE;
      else process.env.MEDIASOUP_WORKER_CACHE = saved;
    });
    try {
      const res = await hub.http().get('/api/health/ready').expect(200);
      expect(res.body).toMatchObject({ status: 'ready', database: 'ok', files: 'ok', media: 'unavailable' });
      expect(res.body.mediaReason).toMatch(/no mediasoup 3\.12\.16 worker binary/);
      const officer = bearer(await hub.login('officer@minusca.demo'));
      const patient = await hub.http().post('/api/patients').set(officer).send(PATIENT).expect(201);
      await hub.http().post('/api/cases').set(officer).send(caseBody(patient.body.id, { submit: true })).expect(201);
    } finally {
      await hub.close();
    }
  });
});
