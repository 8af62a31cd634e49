import { Inject, Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { once } from 'node:events';
import Redis from 'ioredis';
import { IRateLimiterStoreOptions, RateLimiterAbstract, RateLimiterMemory, RateLimiterPostgres, RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import { DataSource } from 'typeorm';
import { DomainException, ErrorCode } from '@hub/common';
import { APP_CONFIG, AppConfig } from '@hub/config';

/** The hub's named limits: how many points per key and window. */
export type RateLimitName = 'login-address' | 'login-failures' | 'login-failures-account' | 'certificate-verify' | 'taken-email';

/** The table of rate-limiter-flexible's PostgreSQL store (migration ScaleOut1795950400000). */
export const RATE_LIMIT_TABLE = 'rate_limits';

/**
 * Every request-rate limit of the hub, in one small module over rate-limiter-flexible. The counters are shared by
 * every hub instance: in PostgreSQL (table `rate_limits`) by default, in Redis when REDIS_URL is set. Should the
 * store fail, each instance counts in its own memory meanwhile (the insurance limiter) rather than letting
 * everything through or refusing everyone (docs/security-model.md).
 *
 * - login-address: sign-in attempts per client address and minute (LOGIN_RATE_LIMIT_PER_MINUTE);
 * - login-failures: failed sign-ins per (account, address) in LOGIN_LOCK_MINUTES (LOGIN_MAX_FAILURES): the owner
 *   signing in from elsewhere is not locked out by someone guessing;
 * - login-failures-account: failed sign-ins per account from any address (ten times the above), against guessing
 *   spread over many addresses. Both count unknown accounts exactly like real ones, so the answer never tells
 *   whether an account exists;
 * - certificate-verify: public certificate verifications per client address and minute;
 * - taken-email: answers "this address is in use" to one (non system) administrator creating accounts, per hour
 *   (TAKEN_EMAIL_ANSWERS_PER_HOUR): the answer reveals that an address exists somewhere in the hub.
 */
@Injectable()
export class RateLimits implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger('RateLimits');
  private readonly limiters: Record<RateLimitName, RateLimiterAbstract>;
  private readonly redis?: Redis;
  /** Where the counters are kept: 'postgresql' or 'redis'. */
  readonly store: 'postgresql' | 'redis';

  constructor(@Inject(APP_CONFIG) config: AppConfig, dataSource: DataSource) {
    const lock = config.loginLockMinutes * 60;
    const limits: Record<RateLimitName, { points: number; duration: number }> = {
      'login-address': { points: config.loginRateLimitPerMinute, duration: 60 },
      'login-failures': { points: config.loginMaxFailures, duration: lock },
      'login-failures-account': { points: config.loginMaxFailures * 10, duration: lock },
      'certificate-verify': { points: config.certificateVerifyPerMinute, duration: 60 },
      'taken-email': { points: config.takenEmailAnswersPerHour, duration: 3600 },
    };
    if (config.redisUrl) {
      // No offline queue: while Redis is unreachable a call fails at once and the insurance limiter answers.
      this.redis = new Redis(config.redisUrl, { enableOfflineQueue: false, maxRetriesPerRequest: 1, lazyConnect: false });
      this.redis.on('error', (e) => this.logger.warn(`Redis (rate limits): ${e.message}`));
      this.store = 'redis';
    } else {
      this.store = 'postgresql';
    }
    const make = (name: RateLimitName, opts: { points: number; duration: number }): RateLimiterAbstract => {
      const common: IRateLimiterStoreOptions = {
        ...opts,
        keyPrefix: `hub:${name}`,
        storeClient: undefined,
        insuranceLimiter: new RateLimiterMemory({ ...opts, keyPrefix: `hub:${name}` }),
      };
      if (this.redis) return new RateLimiterRedis({ ...common, storeClient: this.redis });
      return new RateLimiterPostgres({ ...common, storeClient: dataSource, storeType: 'typeorm', tableName: RATE_LIMIT_TABLE, tableCreated: true, clearExpiredByTimeout: true } as IRateLimiterStoreOptions);
    };
    this.limiters = Object.fromEntries(Object.entries(limits).map(([name, opts]) => [name, make(name as RateLimitName, opts)])) as Record<RateLimitName, RateLimiterAbstract>;
  }

  /** With Redis: waits (up to 5 s) for the connection, so that the first sign-ins count in the shared store. */
  async onModuleInit(): Promise<void> {
    const redis = this.redis;
    if (!redis || redis.status === 'ready') return;
    const timeout = new Promise<void>((r) => setTimeout(r, 5_000).unref());
    await Promise.race([once(redis, 'ready').then(() => undefined, () => undefined), timeout]);
    if ((redis.status as string) !== 'ready') this.logger.warn('Redis is not reachable yet: rate limits count in memory until it is');
  }

  onModuleDestroy(): void {
    this.redis?.disconnect();
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
