import { installPeriodicTaskCoordinator, PeriodicTask, PeriodicTaskCoordinator } from './periodic-task';

describe('PeriodicTask', () => {
  afterEach(() => installPeriodicTaskCoordinator(undefined));

  it('asks the coordinator installed when it starts, never overlapping its own runs', async () => {
    const asked: { name: string; intervalMs: number }[] = [];
    let release!: () => void;
    const coordinator: PeriodicTaskCoordinator = {
      runIfDue: async (name, intervalMs, run) => {
        asked.push({ name, intervalMs });
        await run();
        return true;
      },
    };
    installPeriodicTaskCoordinator(coordinator);
    let runs = 0;
    const task = new PeriodicTask('Test job', 20, () => {
      runs++;
      return new Promise<void>((r) => (release = r));
    });
    installPeriodicTaskCoordinator(undefined); // what counts is the coordinator at start()
    installPeriodicTaskCoordinator(coordinator);
    task.start();
    await new Promise((r) => setTimeout(r, 120));
    // the first run has not finished: the timer's ticks in between started nothing
    expect(runs).toBe(1);
    expect(asked).toEqual([{ name: 'Test job', intervalMs: 20 }]);
    release();
    await new Promise((r) => setTimeout(r, 60));
    task.stop();
    expect(runs).toBeGreaterThanOrEqual(2);
    release();
  });

  it('runs locally when no coordinator is installed, and logs a failure instead of throwing', async () => {
    let runs = 0;
    const task = new PeriodicTask('Local job', 10_000, async () => {
      runs++;
      throw new Error('boom');
    });
    task.start();
    await new Promise((r) => setTimeout(r, 30));
    task.stop();
    expect(runs).toBe(1);
  });
});
