import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { loadavg } from 'node:os';
import { COMPILED_CLI, HubProcess } from '@hub/testing';
import { PATIENT } from './fixtures';

const run = promisify(execFile);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Write {
  key: string;
  serviceNumber: string;
  /** HTTP status, or 0 when no answer arrived (connection refused or dropped). */
  status: number;
}

/**
 * Writers that register patients, each with an Idempotency-Key, until told to stop (or, with `stopOn503`, at the
 * first 503 or unanswered request, as a client honouring Retry-After would pause).
 */
function startWriters(hub: HubProcess, token: string, prefix: string, writes: Write[], count = 3, stopOn503 = false) {
  let stopped = false;
  let n = 0;
  const loop = async () => {
    while (!stopped) {
      const i = n++;
      const w: Write = { key: `${prefix}-${i}`, serviceNumber: `${prefix}-${i}`, status: 0 };
      writes.push(w);
      try {
        const res = await fetch(`${hub.base}/api/patients`, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token}`, 'Idempotency-Key': w.key },
          body: JSON.stringify({ ...PATIENT, serviceNumber: w.serviceNumber }),
          signal: AbortSignal.timeout(30_000),
        });
        w.status = res.status;
        await res.arrayBuffer();
      } catch {
        w.status = 0;
      }
      if (stopOn503 && (w.status === 503 || w.status === 0)) return;
      if (w.status !== 201) await sleep(50);
    }
  };
  const loops = Array.from({ length: count }, loop);
  return async () => {
    stopped = true;
    await Promise.all(loops);
  };
}

async function post(hub: HubProcess, token: string, w: Write) {
  const res = await fetch(`${hub.base}/api/patients`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token}`, 'Idempotency-Key': w.key },
    body: JSON.stringify({ ...PATIENT, serviceNumber: w.serviceNumber }),
  });
  return { status: res.status, replayed: res.headers.get('idempotent-replayed'), body: (await res.json()) as { id?: string } };
}

/** The compiled hub as separate processes on its own embedded PostgreSQL: crashes, database loss, shutdown. */
describe('hub reliability (compiled hub, embedded PostgreSQL)', () => {
  let hub: HubProcess;
  let token: string;
  const writes: Write[] = [];

  beforeAll(async () => {
    hub = await HubProcess.create({ HUB_TEST_CRASH_AFTER_COMMIT_KEY: 'crash-after-commit' });
    await hub.start(180_000); // first start: initdb, migrations, demo data
    token = await hub.login('officer@minusca.demo');
  }, 240_000);
  afterAll(() => hub?.destroy());

  it('comes back after SIGKILL during writes, ready within 15 s, ten times in a row, losing and duplicating nothing', async () => {
    const readyMs: number[] = [];
    for (let round = 0; round < 10; round++) {
      const stop = startWriters(hub, token, `kill${round}`, writes);
      await sleep(400 + Math.random() * 400);
      const exit = await hub.stop('SIGKILL');
      expect(exit.signal).toBe('SIGKILL');
      await stop();
      // the same command again (waiting longer than 15 s so that a slow start is measured, not cascaded)
      readyMs.push(await hub.start(60_000));
    }
    console.log(`ready after SIGKILL in ${readyMs.join(', ')} ms (load average ${loadavg()[0].toFixed(1)})`);
    expect(hub.output).not.toMatch(/could not start|undefined/);

    // Every acknowledged write is stored; the unacknowledged ones are retried with their key and stored once.
    const acknowledged = writes.filter((w) => w.status === 201);
    expect(acknowledged.length).toBeGreaterThan(10);
    for (const w of writes.filter((x) => x.status !== 201)) {
      const again = await post(hub, token, w);
      expect(again.status).toBe(201);
    }
    const rows = await hub.sql<{ service_number: string; n: string }>(
      `SELECT service_number, count(*) AS n FROM patients WHERE service_number LIKE 'kill%' GROUP BY 1`,
    );
    expect(rows.filter((r) => Number(r.n) !== 1)).toEqual([]);
    expect(rows.map((r) => r.service_number).sort()).toEqual(writes.map((w) => w.serviceNumber).sort());
    // checked last, so that a slow machine still shows that nothing was lost
    expect(Math.max(...readyMs)).toBeLessThan(15_000);
  }, 400_000);

  it('a crash right after the commit, then a retry with the same key, makes one record', async () => {
    const w: Write = { key: 'crash-after-commit', serviceNumber: 'CRASH-1', status: 0 };
    await expect(post(hub, token, w)).rejects.toThrow(); // the hub dies before answering
    await new Promise<void>((r) => (hub.child!.exitCode !== null || hub.child!.signalCode !== null ? r() : hub.child!.once('exit', () => r())));
    expect(hub.child!.signalCode).toBe('SIGKILL');
    const readyMs = await hub.start(60_000);
    // committed, though never acknowledged
    expect(await hub.sql(`SELECT id FROM patients WHERE service_number = 'CRASH-1'`)).toHaveLength(1);
    // restarting with the fault switched off is not needed: the replay does not commit again
    const retry = await post(hub, token, w);
    expect(retry.status).toBe(201);
    expect(retry.replayed).toBe('true');
    const rows = await hub.sql<{ id: string }>(`SELECT id FROM patients WHERE service_number = 'CRASH-1'`);
    expect(rows).toHaveLength(1);
    expect(retry.body.id).toBe(rows[0].id);
    expect(readyMs).toBeLessThan(15_000);
  }, 120_000);

  it('serves again within seconds after its PostgreSQL is killed, ten times in a row, answering 503 meanwhile', async () => {
    const outage: Write[] = [];
    for (let round = 0; round < 10; round++) {
      const stop = startWriters(hub, token, `pg${round}`, outage, 2);
      await sleep(300);
      const pm = hub.postmaster()!;
      process.kill(pm.pid, 'SIGKILL');
      const killedAt = Date.now();
      // a fresh write succeeds again
      let back = 0;
      for (let i = 0; Date.now() - killedAt < 15_000; i++) {
        const res = await post(hub, token, { key: `pgprobe${round}-${i}`, serviceNumber: `pgprobe${round}-${i}`, status: 0 }).catch(() => ({ status: 0 }));
        if (res.status === 201) {
          back = Date.now() - killedAt;
          break;
        }
        await sleep(200);
      }
      await stop();
      expect(back).toBeGreaterThan(0);
      expect(back).toBeLessThan(15_000);
      expect(hub.postmaster()!.pid).not.toBe(pm.pid);
    }
    // no generic 500 while the database was away: 201, or 503 DATABASE_UNAVAILABLE (retry later)
    const unhandled = hub.output.split('\n').filter((l) => l.includes('Unhandled error')).map((l) => /"err":\{"type":"(\w+)","message":"([^"]{0,160})/.exec(l)?.slice(1).join(': '));
    expect({ others: outage.filter((w) => ![201, 503].includes(w.status)), unhandled }).toEqual({ others: [], unhandled: [] });
    expect((await fetch(`${hub.base}/api/health/ready`)).status).toBe(200);
  }, 300_000);

  it('npm run audit:verify works while the hub runs, and the trail verifies', async () => {
    const { stdout } = await run(process.execPath, [COMPILED_CLI, 'verify-audit'], {
      env: { ...process.env, NODE_ENV: 'test', HUB_DATA_DIR: hub.dataDir, LOG_LEVEL: 'warn', DATABASE_URL: undefined },
    });
    expect(stdout).toMatch(/^ok\s+\S+ \(\d+ sealed records/m);
    expect(stdout).not.toMatch(/BROKEN/);
  }, 60_000);

  it('a second hub on the same data directory is refused with a message naming the running one', async () => {
    const second = spawnSecond(hub);
    const { code, output } = await second;
    expect(code).toBe(1);
    expect(output).toContain(`is in use by another running hub (process ${hub.child!.pid}`);
    expect((await fetch(`${hub.base}/api/health/ready`)).status).toBe(200);
  }, 60_000);

  it('SIGTERM during writes: every request answered 2xx and stored, or 503 and not stored; exit 0', async () => {
    const term: Write[] = [];
    const stop = startWriters(hub, token, 'term', term, 4, true);
    await sleep(500);
    const exit = await hub.stop('SIGTERM');
    await stop();
    expect(exit).toEqual({ code: 0, signal: null });
    expect(hub.postmaster()).toBeUndefined(); // the embedded database stopped with the hub
    await hub.start(60_000);
    const stored = new Set(
      (await hub.sql<{ service_number: string }>(`SELECT service_number FROM patients WHERE service_number LIKE 'term-%'`)).map((r) => r.service_number),
    );
    const ok = term.filter((w) => w.status === 201);
    const refused = term.filter((w) => w.status === 503);
    expect(ok.length).toBeGreaterThan(0);
    expect(ok.filter((w) => !stored.has(w.serviceNumber))).toEqual([]);
    expect(refused.filter((w) => stored.has(w.serviceNumber))).toEqual([]);
    // nothing else: no 500, and a request never goes unanswered while it was admitted
    expect(term.filter((w) => ![201, 503, 0].includes(w.status))).toEqual([]);
    expect(term.filter((w) => w.status === 0 && stored.has(w.serviceNumber))).toEqual([]);
  }, 120_000);
});

function spawnSecond(hub: HubProcess): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const env: NodeJS.ProcessEnv = { ...process.env, NODE_ENV: 'test', HUB_DATA_DIR: hub.dataDir, PORT: '0', MEDIA_ENABLED: 'false', LOG_LEVEL: 'warn' };
    delete env.DATABASE_URL;
    execFile(process.execPath, [require.resolve('../../../dist/apps/hub/apps/hub/src/main.js')], { env, timeout: 45_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? ((error as { code?: number }).code ?? null) : 0, output: `${stdout}${stderr}` });
    });
  });
}
