import { Global, Inject, Injectable, Module, OnApplicationBootstrap, OnApplicationShutdown, Optional } from '@nestjs/common';
import { PeriodicTask } from './periodic-task';

/** Whether this process runs the hub's periodic jobs (`AppConfig.hubJobs`: off on a field node and in some tests). */
export const HUB_JOBS_ENABLED = Symbol('HUB_JOBS_ENABLED');

/**
 * The hub's periodic jobs in one place: a service registers its job in its constructor (`jobs.every(...)`); all of
 * them start when the application has booted, if this process runs hub jobs, and stop at shutdown. Each due run still
 * happens once across instances (PeriodicTask's coordinator).
 */
@Injectable()
export class HubJobs implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly tasks: PeriodicTask[] = [];

  constructor(@Optional() @Inject(HUB_JOBS_ENABLED) private readonly enabled: boolean = false) {}

  /** Registers `run` every `intervalMs` under `name` (unique and stable: its identity across instances). */
  every(name: string, intervalMs: number, run: () => Promise<unknown>): PeriodicTask {
    const task = new PeriodicTask(name, intervalMs, run);
    this.tasks.push(task);
    return task;
  }

  onApplicationBootstrap(): void {
    if (this.enabled) for (const task of this.tasks) task.start();
  }

  onApplicationShutdown(): void {
    for (const task of this.tasks) task.stop();
  }
}

/** One job registry for the whole application; the app provides HUB_JOBS_ENABLED from its configuration. */
@Global()
@Module({})
export class HubJobsModule {
  static forRoot(enabled: boolean) {
    return {
      module: HubJobsModule,
      providers: [{ provide: HUB_JOBS_ENABLED, useValue: enabled }, HubJobs],
      exports: [HubJobs],
    };
  }
}
