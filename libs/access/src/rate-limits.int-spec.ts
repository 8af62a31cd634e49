import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { loadConfig } from '@hub/config';
import { createDataSource } from '@hub/database';
import { createTestDatabase, TestDatabase } from '@hub/testing';
import { RateLimits } from './rate-limits';

const config = (env: Record<string, string> = {}) => loadConfig({ LOGIN_RATE_LIMIT_PER_MINUTE: '3', ...env });

async function expectShared(first: RateLimits, second: RateLimits, whileRefused?: () => Promise<void>) {
  const key = `198.51.100.${Math.floor(Math.random() * 200)}-${randomUUID()}`;
  await first.consume('login-address', key);
  await second.consume('login-address', key);
  await first.consume('login-address', key);
  // the fourth attempt within the minute, on either instance
  const refused = await second.consume('login-address', key, 'Too many sign-in attempts from this address').then(() => null, (e: unknown) => e);
  expect(refused).toMatchObject({ code: 'TOO_MANY_REQUESTS' });
  expect((refused as Error).message).toMatch(/Too many sign-in attempts from this address; try again in \d+ s/);
  await expect(first.check('login-address', key)).rejects.toMatchObject({ code: 'TOO_MANY_REQUESTS' });
  await whileRefused?.();
  await first.reset('login-address', key);
  await expect(second.check('login-address', key)).resolves.toBeUndefined();
}

/** Rate limits seen by two instances (two connection pools, or two Redis clients). */
describe('shared rate limits', () => {
  describe('in PostgreSQL (default)', () => {
    let db: TestDatabase;
    let other: DataSource;
    beforeAll(async () => {
      db = await createTestDatabase();
      other = createDataSource({ url: db.url, entities: [], migrations: [], poolSize: 2, logErrors: false });
      await other.initialize();
    });
    afterAll(async () => {
      await other?.destroy();
      await db?.drop();
    });

    it('is one limit for both instances', async () => {
      const [first, second] = [new RateLimits(config(), db.dataSource), new RateLimits(config(), other)];
      expect(first.store).toBe('postgresql');
      await expectShared(first, second, async () => {
        // one row for the key, holding the four attempts
        expect(await db.dataSource.query(`SELECT points FROM rate_limits WHERE key LIKE 'hub:login-address:%'`)).toEqual([{ points: 4 }]);
      });
    });
  });

  describe('in Redis (REDIS_URL)', () => {
    const url = process.env.REDIS_URL;
    if (!url) {
      it.skip('is one limit for both instances — skipped: REDIS_URL is not set (e.g. REDIS_URL=redis://127.0.0.1:6379)', () => undefined);
      // eslint-disable-next-line no-console
      console.log('rate-limits.int-spec: Redis test skipped because REDIS_URL is not set');
      return;
    }
    it('is one limit for both instances', async () => {
      const unused = { isInitialized: false } as unknown as DataSource;
      const [first, second] = [new RateLimits(config({ REDIS_URL: url }), unused), new RateLimits(config({ REDIS_URL: url }), unused)];
      try {
        await Promise.all([first.onModuleInit(), second.onModuleInit()]);
        expect(first.store).toBe('redis');
        await expectShared(first, second);
      } finally {
        first.onModuleDestroy();
        second.onModuleDestroy();
      }
    });
  });
});
