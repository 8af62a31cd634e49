import { ConfigError, loadConfig } from './config';

describe('loadConfig', () => {
  it('applies defaults', () => {
    const c = loadConfig({ HUB_DATA_DIR: '/tmp/x' });
    expect(c.port).toBe(3000);
    expect(c.dataDir).toBe('/tmp/x');
    expect(c.seedDemo).toBe(true);
    expect(c.accessTokenTtlSeconds).toBe(900);
  });

  it('names each bad variable', () => {
    expect.assertions(4);
    try {
      loadConfig({ PORT: 'eighty', LOGIN_MAX_FAILURES: '0', DATABASE_URL: 'mysql://x/y' });
    } catch (e) {
      expect(e).toBeInstanceOf(ConfigError);
      const message = (e as Error).message;
      expect(message).toMatch(/PORT/);
      expect(message).toMatch(/LOGIN_MAX_FAILURES/);
      expect(message).toMatch(/DATABASE_URL/);
    }
  });

  it('requires JWT_SECRET in production', () => {
    expect(() => loadConfig({ NODE_ENV: 'production' })).toThrow(/JWT_SECRET is required/);
    expect(() => loadConfig({ NODE_ENV: 'production', JWT_SECRET: 'short' })).toThrow(/JWT_SECRET must be at least 32/);
  });

  it('runs the hub jobs on every hub instance, with no switch to turn them off', () => {
    expect(loadConfig({}).hubJobs).toBe(true);
    expect(loadConfig({ HUB_SLA_SWEEP: 'off' }).hubJobs).toBe(true);
  });

  it('turns off demo data with an external database unless asked', () => {
    expect(loadConfig({ DATABASE_URL: 'postgres://u@localhost/db' }).seedDemo).toBe(false);
    expect(loadConfig({ DATABASE_URL: 'postgres://u@localhost/db', SEED_DEMO: 'true' }).seedDemo).toBe(true);
    expect(() => loadConfig({ SEED_DEMO: 'maybe' })).toThrow(/SEED_DEMO/);
  });

  it('reads the live media settings', () => {
    const test = loadConfig({ NODE_ENV: 'test' }).media;
    expect(test).toMatchObject({ enabled: true, workers: 1, listenIp: '127.0.0.1', portMin: 0 });
    const prod = loadConfig({ MEDIA_ANNOUNCED_IP: '203.0.113.7', MEDIA_WORKERS: '3', MEDIA_PORT_MIN: '44400' }).media;
    expect(prod).toMatchObject({ workers: 3, listenIp: '0.0.0.0', announcedIp: '203.0.113.7', portMin: 44400 });
    expect(loadConfig({}).media.workers).toBeGreaterThanOrEqual(1);
    expect(loadConfig({ MEDIA_ENABLED: 'off' }).media.enabled).toBe(false);
    expect(() => loadConfig({ MEDIA_LISTEN_IP: '0.0.0.0' })).toThrow(/MEDIA_ANNOUNCED_IP is required/);
    expect(() => loadConfig({ MEDIA_LISTEN_IP: 'not-an-ip', MEDIA_WORKERS: '0' })).toThrow(/MEDIA_LISTEN_IP[\s\S]*MEDIA_WORKERS|MEDIA_WORKERS[\s\S]*MEDIA_LISTEN_IP/);
    expect(() => loadConfig({ MEDIA_RTC_MIN_PORT: '50000', MEDIA_RTC_MAX_PORT: '40000' })).toThrow(/MEDIA_RTC_MIN_PORT/);
  });

  it('reads TURN settings and refuses half a TURN configuration', () => {
    expect(loadConfig({ HUB_DATA_DIR: '/tmp/x' }).turn).toEqual({ secret: undefined, urls: [], ttlSeconds: 3600 });
    const c = loadConfig({ TURN_SECRET: 'a-long-enough-secret', TURN_URLS: 'turn:t.example:3478,turns:t.example:5349', TURN_TTL_SECONDS: '600' });
    expect(c.turn).toEqual({ secret: 'a-long-enough-secret', urls: ['turn:t.example:3478', 'turns:t.example:5349'], ttlSeconds: 600 });
    expect(() => loadConfig({ TURN_SECRET: 'a-long-enough-secret' })).toThrow(/TURN_SECRET and TURN_URLS must be set together/);
    expect(() => loadConfig({ TURN_SECRET: 'x', TURN_URLS: 'http://x' })).toThrow(/TURN_SECRET must be at least 16[\s\S]*TURN_URLS must be/);
  });

  it('trusts no proxy unless TRUST_PROXY names them', () => {
    expect(loadConfig({ HUB_DATA_DIR: '/tmp/x' }).trustProxy).toBe(false);
    expect(loadConfig({ TRUST_PROXY: 'none' }).trustProxy).toBe(false);
    expect(loadConfig({ TRUST_PROXY: '1' }).trustProxy).toBe(1);
    expect(loadConfig({ TRUST_PROXY: 'loopback,10.0.0.0/8' }).trustProxy).toEqual(['loopback', '10.0.0.0/8']);
    expect(() => loadConfig({ TRUST_PROXY: 'every one!' })).toThrow(/TRUST_PROXY/);
    expect(() => loadConfig({ TOTP_ENCRYPTION_KEY: 'short' })).toThrow(/TOTP_ENCRYPTION_KEY/);
  });

  it('reads the shutdown grace period and the backup settings (scheduled by default with the embedded database only)', () => {
    const embedded = loadConfig({ HUB_DATA_DIR: '/tmp/x' });
    expect(embedded.shutdownGraceMs).toBe(20_000);
    expect(embedded.backup).toEqual({ dir: '/tmp/x/backups', intervalHours: 24, keep: 7 });
    const external = loadConfig({ HUB_DATA_DIR: '/tmp/x', DATABASE_URL: 'postgres://u:p@db:5432/hub', BACKUP_DIR: '/mnt/b', BACKUP_KEEP: '3' });
    expect(external.backup).toEqual({ dir: '/mnt/b', intervalHours: 0, keep: 3 });
    expect(loadConfig({ HUB_DATA_DIR: '/tmp/x', BACKUP_INTERVAL_HOURS: '6', SHUTDOWN_GRACE_SECONDS: '5' })).toMatchObject({ shutdownGraceMs: 5000, backup: { intervalHours: 6 } });
    expect(() => loadConfig({ SHUTDOWN_GRACE_SECONDS: 'soon' })).toThrow(/SHUTDOWN_GRACE_SECONDS/);
    expect(() => loadConfig({ BACKUP_INTERVAL_HOURS: '-1' })).toThrow(/BACKUP_INTERVAL_HOURS/);
  });
});
