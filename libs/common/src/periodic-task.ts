import { Logger } from '@nestjs/common';

/**
 * Decides, across every instance sharing the database, whether a periodic job's run is due and runs it there only.
 * Resolves true when this call ran the job. (libs/database installs the PostgreSQL one when the hub's database
 * module is built.)
 */
export interface PeriodicTaskCoordinator {
  runIfDue(name: string, intervalMs: number, run: () => Promise<unknown>): Promise<boolean>;
}

let installedCoordinator: PeriodicTaskCoordinator | undefined;

/** Makes every PeriodicTask started from now on coordinate through `coordinator` (undefined: run locally). */
export function installPeriodicTaskCoordinator(coordinator: PeriodicTaskCoordinator | undefined): void {
  installedCoordinator = coordinator;
}

/** Longest wait between two checks whether a coordinated job is due (another instance may have run it meanwhile). */
export const PERIODIC_CHECK_MAX_MS = 60_000;

/**
 * A job run at start and then every `intervalMs`; failures are logged, never thrown. The timer does not keep the
 * process alive, and a run never overlaps the previous one in this process.
 *
 * When a coordinator is installed (the hub on PostgreSQL), any number of instances may start the same task: each due
 * run happens once across all of them, on whichever instance checks first (periodic-task-coordinator.ts in
 * libs/database). The task's `name` is its identity across instances, so it must be unique and stable.
 */
export class PeriodicTask {
  private timer?: NodeJS.Timeout;
  private readonly logger: Logger;
  private running = false;

  constructor(
    readonly name: string,
    readonly intervalMs: number,
    private readonly run: () => Promise<unknown>,
  ) {
    this.logger = new Logger(name);
  }

  /** Starts checking; uses the coordinator installed at this moment (each hub app installs its own before start). */
  start(): void {
    const coordinator = installedCoordinator;
    const tick = async () => {
      if (this.running) return;
      this.running = true;
      try {
        if (coordinator) await coordinator.runIfDue(this.name, this.intervalMs, this.run);
        else await this.run();
      } catch (e) {
        this.logger.error({ err: e }, `${this.name} failed`);
      } finally {
        this.running = false;
      }
    };
    void tick();
    this.timer = setInterval(() => void tick(), coordinator ? Math.min(this.intervalMs, PERIODIC_CHECK_MAX_MS) : this.intervalMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }
}
