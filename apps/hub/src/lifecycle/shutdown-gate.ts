import { Injectable } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { ErrorCode } from '@hub/common';

/**
 * Graceful shutdown at the HTTP edge: once closed, every new request answers 503 with `Retry-After` (nothing of it
 * runs, so nothing of it is stored), while the requests already inside finish. `idle()` resolves when none is left.
 */
@Injectable()
export class ShutdownGate {
  private inFlight = 0;
  private closed = false;
  private waiters: (() => void)[] = [];

  get isClosed(): boolean {
    return this.closed;
  }

  get active(): number {
    return this.inFlight;
  }

  readonly middleware = (req: Request, res: Response, next: NextFunction): void => {
    if (this.closed) {
      res.setHeader('Retry-After', '5');
      res.setHeader('Connection', 'close');
      res.status(503).json({
        statusCode: 503,
        code: ErrorCode.ShuttingDown,
        message: 'The hub is restarting; nothing of this request was done. Try again in a few seconds.',
      });
      return;
    }
    this.inFlight++;
    let done = false;
    const finish = () => {
      if (done) return;
      done = true;
      this.inFlight--;
      if (this.inFlight === 0) for (const w of this.waiters.splice(0)) w();
    };
    res.once('finish', finish);
    res.once('close', finish);
    next();
  };

  close(): void {
    this.closed = true;
  }

  /** Resolves true when every admitted request has been answered, false when the grace period ran out first. */
  idle(graceMs: number): Promise<boolean> {
    if (this.inFlight === 0) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(false), graceMs);
      this.waiters.push(() => {
        clearTimeout(timer);
        resolve(true);
      });
    });
  }
}
