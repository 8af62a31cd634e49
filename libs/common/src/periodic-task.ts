import { Logger } from '@nestjs/common';

/**
 * A job run at start and then every `intervalMs` in this process; failures are logged, never thrown. The timer
 * does not keep the process alive. Work that must not run twice keeps its state in the database.
 */
export class PeriodicTask {
  private timer?: NodeJS.Timeout;
  private readonly logger: Logger;

  constructor(
    private readonly name: string,
    private readonly intervalMs: number,
    private readonly run: () => Promise<unknown>,
  ) {
    this.logger = new Logger(name);
  }

  start(): void {
    const tick = () => this.run().catch((e) => this.logger.error({ err: e }, `${this.name} failed`));
    void tick();
    this.timer = setInterval(tick, this.intervalMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
  }
}
