import { randomBytes } from 'node:crypto';
import { createTestDatabase, HubProcess, TEST_JWT_SECRET, TestDatabase } from '@hub/testing';

/** The hub's own periodic jobs (PeriodicTask names); each must run once across the instances. */
const HUB_JOBS = ['SLA sweep', 'Caseload alerts', 'Certificate expiry warnings', 'IdempotencySweep'];

/**
 * Two compiled hub processes on one PostgreSQL (issue 15), started at the same moment: the periodic jobs each run
 * once across both (no HUB_SLA_SWEEP to turn one off), and the sign-in rate limit is one limit for both.
 * (The socket.io adapter and live calls across instances are tested with the adapter.)
 */
describe('two hub instances on one database', () => {
  let db: TestDatabase;
  let a: HubProcess;
  let b: HubProcess;

  beforeAll(async () => {
    db = await createTestDatabase();
    const shared = {
      DATABASE_URL: db.url,
      JWT_SECRET: TEST_JWT_SECRET,
      AUDIT_KEY: randomBytes(32).toString('hex'),
      TOTP_ENCRYPTION_KEY: randomBytes(32).toString('hex'),
      SEED_DEMO: 'false',
      LOGIN_RATE_LIMIT_PER_MINUTE: '4',
    };
    a = await HubProcess.create(shared);
    b = await HubProcess.create(shared);
    await Promise.all([a.start(90_000), b.start(90_000)]);
  }, 120_000);
  afterAll(async () => {
    await Promise.all([a?.destroy(), b?.destroy()]);
    await db?.drop();
  });

  it('runs each periodic job once across both instances', async () => {
    const runs = async () =>
      (await db.dataSource.query(`SELECT name, runs::int, last_instance, last_finished_at IS NOT NULL AS finished FROM periodic_task_runs WHERE name = ANY($1) ORDER BY name`, [HUB_JOBS])) as {
        name: string;
        runs: number;
        last_instance: string;
        finished: boolean;
      }[];
    const until = Date.now() + 20_000;
    while ((await runs()).filter((r) => r.finished).length < HUB_JOBS.length && Date.now() < until) await new Promise((r) => setTimeout(r, 200));
    // a few more seconds in which a second run (by the other instance, or a repeat) would show
    await new Promise((r) => setTimeout(r, 3_000));
    const rows = await runs();
    expect(rows.map((r) => r.name)).toEqual([...HUB_JOBS].sort());
    for (const row of rows) expect(row).toMatchObject({ runs: 1, finished: true });
    const pids = [a.child!.pid, b.child!.pid].map(String);
    for (const row of rows) expect(pids).toContain(row.last_instance.split(':').pop());
    expect(a.child!.exitCode).toBeNull();
    expect(b.child!.exitCode).toBeNull();
  });

  it('counts sign-in attempts once for both instances (rate limits in PostgreSQL)', async () => {
    const attempt = (hub: HubProcess) =>
      fetch(`${hub.base}/api/auth/login`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ email: 'nobody@scale.test', password: 'wrong password 1' }),
      });
    // LOGIN_RATE_LIMIT_PER_MINUTE=4 per address: two here, two there, then refused on both
    for (const hub of [a, b, a, b]) expect((await attempt(hub)).status).toBe(401);
    for (const hub of [b, a]) {
      const refused = await attempt(hub);
      expect(refused.status).toBe(429);
      expect(((await refused.json()) as { message: string }).message).toMatch(/Too many sign-in attempts from this address; try again in \d+ s/);
    }
    const [row] = await db.dataSource.query(`SELECT points FROM rate_limits WHERE key LIKE 'hub:login-address:%'`);
    expect(row.points).toBeGreaterThanOrEqual(4);
  });
});
