import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '@hub/config';
import { DomainException, ErrorCode } from '@hub/common';

/**
 * Fixed-window limit of login attempts per client address, in process memory. Account lockout (in the database)
 * covers distributed guessing against one account; this slows one address trying many. With several hub
 * instances, move the counters to PostgreSQL or Redis (docs/security-model.md).
 */
@Injectable()
export class LoginRateLimiter {
  private readonly windows = new Map<string, { start: number; count: number }>();

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  hit(key: string, now = Date.now()): void {
    const w = this.windows.get(key);
    if (!w || now - w.start >= 60_000) {
      this.windows.set(key, { start: now, count: 1 });
      if (this.windows.size > 10_000) this.prune(now);
      return;
    }
    w.count++;
    if (w.count > this.config.loginRateLimitPerMinute) {
      const retry = Math.ceil((w.start + 60_000 - now) / 1000);
      throw new DomainException(ErrorCode.TooManyRequests, `Too many login attempts; try again in ${retry} s`);
    }
  }

  private prune(now: number) {
    for (const [k, w] of this.windows) if (now - w.start >= 60_000) this.windows.delete(k);
  }
}
