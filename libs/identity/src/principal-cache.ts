import { Inject, Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { Client, ClientConfig } from 'pg';
import { DataSource } from 'typeorm';
import { APP_CONFIG, AppConfig } from '@hub/config';
import { Clock } from '@hub/common';

/** Channel the database notifies on any change to a user, their memberships, sessions or certifications. */
export const PRINCIPAL_CHANNEL = 'principal_changed';
/** Payload meaning "everyone" (a mission, facility or facility's missions changed). */
export const EVERYONE = '*';

interface Entry<T> {
  value: T;
  loadedAt: number;
  /** Clock time (ms) from which the value may be wrong without any write: the next certification expiry. */
  validUntil: number;
}

/**
 * Per-user cache of what the principal resolver loads on every request (the user, memberships, live session,
 * valid certifications), so an authenticated request costs no database round trip for the caller.
 *
 * Freshness: triggers (migration PrincipalChanges) NOTIFY `principal_changed` with the user's id on any write to
 * users, memberships, refresh_tokens, training_certificates and training_waivers, and `*` on missions, facilities and
 * facility_missions; every hub instance LISTENs and drops the entries at once. PostgreSQL signals listeners as part
 * of the commit, before the writer hears that it committed, so the next request (on any instance) reloads.
 * Entries also expire on their own at the next instant a certificate or waiver starts or ends (by the injected
 * Clock, so time moved in tests applies too) and after PRINCIPAL_CACHE_SECONDS at most. While the listening
 * connection is down nothing is cached (every request loads), and reconnecting empties the cache.
 * A load that raced with a notification is not stored (generation check).
 */
@Injectable()
export class PrincipalCache<T = unknown> implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger('PrincipalCache');
  private readonly entries = new Map<string, Map<string, Entry<T>>>();
  private readonly generations = new Map<string, number>();
  private globalGeneration = 0;
  private client: Client | null = null;
  private listening = false;
  private closed = false;
  private retry: NodeJS.Timeout | null = null;
  private readonly maxAgeMs: number;

  constructor(
    private readonly dataSource: DataSource,
    private readonly clock: Clock,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.maxAgeMs = config.principalCacheSeconds * 1000;
  }

  get enabled(): boolean {
    return this.maxAgeMs > 0 && this.listening;
  }

  async onModuleInit(): Promise<void> {
    if (this.maxAgeMs > 0) await this.listen();
  }

  async onModuleDestroy(): Promise<void> {
    this.closed = true;
    if (this.retry) clearTimeout(this.retry);
    this.listening = false;
    await this.client?.end().catch(() => undefined);
  }

  /** The cached value for (user, key), or the loader's, stored unless a change to the user arrived meanwhile. */
  async get(userId: string, key: string, load: () => Promise<{ value: T; validUntil: Date | null }>): Promise<T> {
    const now = this.clock.now().getTime();
    if (this.enabled) {
      const hit = this.entries.get(userId)?.get(key);
      if (hit && now >= hit.loadedAt && now < hit.validUntil && now - hit.loadedAt < this.maxAgeMs) return hit.value;
    }
    const generation = `${this.globalGeneration}:${this.generations.get(userId) ?? 0}`;
    const { value, validUntil } = await load();
    if (this.enabled && generation === `${this.globalGeneration}:${this.generations.get(userId) ?? 0}`) {
      let forUser = this.entries.get(userId);
      if (!forUser) this.entries.set(userId, (forUser = new Map()));
      forUser.set(key, { value, loadedAt: now, validUntil: validUntil?.getTime() ?? Number.POSITIVE_INFINITY });
    }
    return value;
  }

  /** Drops a user's entries (or everyone's); also called for the notifications. */
  invalidate(userId: string): void {
    if (userId === EVERYONE) {
      this.globalGeneration++;
      this.entries.clear();
      return;
    }
    this.generations.set(userId, (this.generations.get(userId) ?? 0) + 1);
    this.entries.delete(userId);
  }

  private async listen(): Promise<void> {
    const pool = (this.dataSource.driver as unknown as { master: { options: ClientConfig } }).master;
    const client = new Client({ ...pool.options, application_name: 'hub-principal-cache' });
    client.on('notification', (n) => {
      if (n.channel === PRINCIPAL_CHANNEL && n.payload) this.invalidate(n.payload);
    });
    const lost = (e?: Error) => {
      if (this.client !== client) return;
      this.listening = false;
      this.client = null;
      this.invalidate(EVERYONE);
      client.end().catch(() => undefined);
      if (this.closed) return;
      this.logger.warn(`listening connection lost (${e?.message ?? 'ended'}); caching off until it is back`);
      this.retry = setTimeout(() => void this.listen(), 1000).unref();
    };
    client.on('error', lost);
    client.on('end', () => lost());
    try {
      this.client = client;
      await client.connect();
      await client.query(`LISTEN ${PRINCIPAL_CHANNEL}`);
      if (this.closed) return void client.end().catch(() => undefined);
      this.invalidate(EVERYONE); // whatever changed while not listening
      this.listening = true;
    } catch (e) {
      lost(e as Error);
    }
  }
}
