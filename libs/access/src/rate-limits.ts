import { Inject, Injectable } from '@nestjs/common';
import { RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';
import { DomainException, ErrorCode } from '@hub/common';
import { APP_CONFIG, AppConfig } from '@hub/config';

/** The hub's named limits: how many points per key and window. */
export type RateLimitName = 'login-address' | 'login-failures' | 'login-failures-account' | 'certificate-verify';

/**
 * Every request-rate limit of the hub, in one small module over rate-limiter-flexible. The counters live in process
 * memory for now; with several hub instances swap RateLimiterMemory for its PostgreSQL or Redis store here and
 * nowhere else (docs/security-model.md).
 *
 * - login-address: sign-in attempts per client address and minute (LOGIN_RATE_LIMIT_PER_MINUTE);
 * - login-failures: failed sign-ins per (account, address) in LOGIN_LOCK_MINUTES (LOGIN_MAX_FAILURES): the owner
 *   signing in from elsewhere is not locked out by someone guessing;
 * - login-failures-account: failed sign-ins per account from any address (ten times the above), against guessing
 *   spread over many addresses. Both count unknown accounts exactly like real ones, so the answer never tells
 *   whether an account exists;
 * - certificate-verify: public certificate verifications per client address and minute.
 */
@Injectable()
export class RateLimits {
  private readonly limiters: Record<RateLimitName, RateLimiterMemory>;

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    const lock = config.loginLockMinutes * 60;
    this.limiters = {
      'login-address': new RateLimiterMemory({ points: config.loginRateLimitPerMinute, duration: 60 }),
      'login-failures': new RateLimiterMemory({ points: config.loginMaxFailures, duration: lock }),
      'login-failures-account': new RateLimiterMemory({ points: config.loginMaxFailures * 10, duration: lock }),
      'certificate-verify': new RateLimiterMemory({ points: config.certificateVerifyPerMinute, duration: 60 }),
    };
  }

  /** Takes one point; over the limit answers 429 with the wait, in plain words. */
  async consume(name: RateLimitName, key: string, message = 'Too many attempts'): Promise<void> {
    try {
      await this.limiters[name].consume(key);
    } catch (e) {
      if (e instanceof RateLimiterRes) throw tooMany(message, e.msBeforeNext);
      throw e;
    }
  }

  /** 429 when the key has used up its points, without taking one. */
  async check(name: RateLimitName, key: string, message = 'Too many attempts'): Promise<void> {
    const limiter = this.limiters[name];
    const res = await limiter.get(key);
    if (res && res.consumedPoints >= limiter.points) throw tooMany(message, res.msBeforeNext);
  }

  async reset(name: RateLimitName, key: string): Promise<void> {
    await this.limiters[name].delete(key);
  }
}

function tooMany(message: string, msBeforeNext: number): DomainException {
  const seconds = Math.max(1, Math.ceil(msBeforeNext / 1000));
  return new DomainException(ErrorCode.TooManyRequests, `${message}; try again in ${seconds} s`, undefined, { retryAfterSeconds: seconds });
}
