import { DataSource } from 'typeorm';
import { createTestDatabase, TestDatabase } from '@hub/testing';
import { createDataSource } from './data-source';
import { PostgresPeriodicTaskCoordinator } from './periodic-task-coordinator';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Two instances (two connection pools on one database) checking the same job as often as they can. */
describe('periodic jobs across instances (PostgreSQL coordinator)', () => {
  let db: TestDatabase;
  let other: DataSource;

  beforeAll(async () => {
    db = await createTestDatabase();
    other = createDataSource({ url: db.url, entities: [], migrations: [], poolSize: 3, logErrors: false });
    await other.initialize();
  });
  afterAll(async () => {
    await other?.destroy();
    await db?.drop();
  });

  async function race(name: string, intervalMs: number, jobMs: number, forMs: number, fail = false) {
    const instances = [new PostgresPeriodicTaskCoordinator(db.dataSource, 'instance-a'), new PostgresPeriodicTaskCoordinator(other, 'instance-b')];
    const starts: { at: number; by: string }[] = [];
    let active = 0;
    let overlapped = false;
    const end = Date.now() + forMs;
    await Promise.all(
      instances.map(async (coordinator, i) => {
        const by = i ? 'b' : 'a';
        while (Date.now() < end) {
          await coordinator
            .runIfDue(name, intervalMs, async () => {
              starts.push({ at: Date.now(), by });
              if (++active > 1) overlapped = true;
              await sleep(jobMs);
              active--;
              if (fail) throw new Error('job failed (test)');
            })
            .catch(() => undefined);
          await sleep(Math.random() * 15);
        }
      }),
    );
    return { starts, overlapped };
  }

  it('runs each due run once, whichever instance checks first, never two at a time', async () => {
    const { starts, overlapped } = await race('short job', 300, 40, 3_000);
    expect(overlapped).toBe(false);
    // 3 s at one run per 300 ms: at most 11 runs (the first at once); fewer only on a machine too busy to check
    expect(starts.length).toBeGreaterThanOrEqual(5);
    expect(starts.length).toBeLessThanOrEqual(11);
    for (let i = 1; i < starts.length; i++) expect(starts[i].at - starts[i - 1].at).toBeGreaterThanOrEqual(300 * 0.98 - 20);
    const [row] = await db.dataSource.query(`SELECT runs::int, last_error, last_finished_at IS NOT NULL AS finished FROM periodic_task_runs WHERE name = 'short job'`);
    expect(row).toEqual({ runs: starts.length, last_error: null, finished: true });
  });

  it('does not start a run while the previous one still runs on another instance, even when due again', async () => {
    const { starts, overlapped } = await race('long job', 100, 350, 1_600);
    expect(overlapped).toBe(false);
    // 1.6 s of a 350 ms job due every 100 ms: at most 5 runs, one after another
    expect(starts.length).toBeGreaterThanOrEqual(2);
    expect(starts.length).toBeLessThanOrEqual(5);
  });

  it('records a failed run and runs the job again when it is next due', async () => {
    const { starts } = await race('failing job', 200, 10, 1_000, true);
    expect(starts.length).toBeGreaterThanOrEqual(2);
    const [row] = await db.dataSource.query(`SELECT last_error FROM periodic_task_runs WHERE name = 'failing job'`);
    expect(row.last_error).toBe('job failed (test)');
  });
});
