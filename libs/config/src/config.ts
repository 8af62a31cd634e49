import { plainToInstance } from 'class-transformer';
import { validateSync, ValidationError } from 'class-validator';
import { availableParallelism, homedir } from 'node:os';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { EnvironmentVariables } from './env.schema';

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n  - ${problems.join('\n  - ')}`);
    this.name = 'ConfigError';
  }
}

/** Typed, validated configuration of the hub process. */
export interface AppConfig {
  env: 'development' | 'production' | 'test';
  port: number;
  host?: string;
  dataDir: string;
  databaseUrl?: string;
  /** REDIS_URL: rate limits (and the socket.io adapter) in Redis instead of PostgreSQL. */
  redisUrl?: string;
  embeddedPgPort: number;
  jwtSecret?: string;
  /** Key of the TOTP secrets' encryption at rest (outside the database). */
  totpEncryptionKey?: string;
  /** HMAC key of the audit chains (AUDIT_KEY); generated into the data directory when unset. */
  auditKey?: string;
  /** Milliseconds between audit sealing rounds (AUDIT_SEAL_INTERVAL_MS); 0 turns the background sealer off. */
  auditSealIntervalMs: number;
  /** Longest a cached caller is trusted without a change notification (PRINCIPAL_CACHE_SECONDS); 0 = no cache. */
  principalCacheSeconds: number;
  accessTokenTtlSeconds: number;
  refreshTokenTtlSeconds: number;
  loginMaxFailures: number;
  loginLockMinutes: number;
  loginRateLimitPerMinute: number;
  /** Express "trust proxy": false (none), a hop count, or addresses/subnets. */
  trustProxy: false | number | string[];
  userMaxConcurrentRequests: number;
  dbStatementTimeoutMs: number;
  dbIdleInTransactionTimeoutMs: number;
  certificateVerifyPerMinute: number;
  takenEmailAnswersPerHour: number;
  corsOrigins: string[];
  logLevel: string;
  seedDemo: boolean;
  /**
   * Whether this app runs the hub's own periodic jobs (SLA escalation, outcome reminders, caseload alerts,
   * certificate expiry warnings): true on every hub instance (they coordinate through PostgreSQL, so each due run
   * happens once), false on a field node (the hub runs them). Not an environment variable.
   */
  hubJobs: boolean;
  webDistDir: string;
  mfaIssuer: string;
  media: MediaConfig;
  cluster: ClusterConfig;
  /** TURN REST API credentials (TURN_* variables); `secret` and `urls` both set or TURN is off. */
  turn: TurnConfig;
  /** Grace period of a graceful shutdown (SHUTDOWN_GRACE_SECONDS). */
  shutdownGraceMs: number;
  /** Backups (BACKUP_* variables); `intervalHours` 0 = no scheduled backups. */
  backup: { dir: string; intervalHours: number; keep: number };
  /** METRICS_TOKEN: the bearer token of GET /metrics; null = /metrics is off. */
  metricsToken: string | null;
  /** FIELD_NODE_SILENT_HOURS: a field node not heard from for this long is alerted (unless its mission sets its own). */
  fieldNodeSilentHours: number;
}

/** Live consultation SFU settings (MEDIA_* variables). */
export interface MediaConfig {
  enabled: boolean;
  workers: number;
  listenIp: string;
  announcedIp?: string;
  /** First WebRtcServer port (worker i uses portMin + i); 0 = ephemeral. */
  portMin: number;
  rtcMinPort: number;
  rtcMaxPort: number;
  /** Explicit worker binary, when set. */
  workerBin?: string;
}

/** Several hub instances on one PostgreSQL (docs/media.md, "Several hub instances"). */
export interface ClusterConfig {
  /** Redis of the socket.io adapter; unset = the PostgreSQL adapter. */
  redisUrl?: string;
  /** Internal call port of this media node: where other instances reach it (host) and where it listens. */
  rpcHost: string;
  rpcPort: number;
  /** Heartbeat expiry of a media node, ms (heartbeats every third of it). */
  nodeTtlMs: number;
}

export interface TurnConfig {
  secret?: string;
  urls: string[];
  ttlSeconds: number;
}

export const APP_CONFIG = Symbol('APP_CONFIG');

/** The repository (or install) root: the nearest folder above this file holding nest-cli.json. */
export function projectRoot(from = __dirname): string {
  let dir = from;
  for (;;) {
    if (existsSync(join(dir, 'nest-cli.json'))) return dir;
    const up = dirname(dir);
    if (up === dir) return process.cwd();
    dir = up;
  }
}

function defaultDataDir(): string {
  // As root the hub runs as a system service: keep data where the unprivileged database user can reach it.
  if (process.getuid?.() === 0) return '/var/lib/field-telemed-hub';
  const base = process.env.XDG_DATA_HOME || join(homedir(), '.local', 'share');
  return join(base, 'field-telemed-hub');
}

function describe(errors: ValidationError[]): string[] {
  return errors.flatMap((e) =>
    Object.values(e.constraints ?? {}).map((m) => (m.startsWith(e.property) ? m : `${e.property}: ${m}`)),
  );
}

function parseTrustProxy(value: string | undefined): false | number | string[] {
  if (!value || value === 'none') return false;
  if (/^\d+$/.test(value)) return Number(value);
  return value.split(',').map((v) => v.trim()).filter(Boolean);
}

/** Validates the environment; throws ConfigError naming each bad variable. */
export function loadConfig(source: NodeJS.ProcessEnv = process.env): AppConfig {
  const known = Object.keys(new EnvironmentVariables());
  const raw: Record<string, unknown> = {};
  for (const key of [...known, 'HOST', 'TRUST_PROXY', 'TOTP_ENCRYPTION_KEY', 'HUB_DATA_DIR', 'DATABASE_URL', 'JWT_SECRET', 'AUDIT_KEY', 'CORS_ORIGINS', 'SEED_DEMO', 'WEB_DIST_DIR',
    'MEDIA_ENABLED', 'MEDIA_WORKERS', 'MEDIA_LISTEN_IP', 'MEDIA_ANNOUNCED_IP', 'MEDIA_PORT_MIN', 'MEDIASOUP_WORKER_BIN', 'TURN_SECRET', 'TURN_URLS', 'BACKUP_DIR', 'BACKUP_INTERVAL_HOURS', 'REDIS_URL', 'MEDIA_NODE_RPC_HOST']) {
    if (source[key] !== undefined) raw[key] = source[key];
  }
  const env = plainToInstance(EnvironmentVariables, raw);
  const errors = validateSync(env, { skipMissingProperties: false });
  const problems = describe(errors);
  if (env.NODE_ENV === 'production' && !env.JWT_SECRET) {
    problems.push('JWT_SECRET is required when NODE_ENV=production');
  }
  if (env.MEDIA_LISTEN_IP && ['0.0.0.0', '::'].includes(env.MEDIA_LISTEN_IP) && !env.MEDIA_ANNOUNCED_IP) {
    problems.push('MEDIA_ANNOUNCED_IP is required when MEDIA_LISTEN_IP listens on every address');
  }
  if (env.MEDIA_RTC_MIN_PORT > env.MEDIA_RTC_MAX_PORT) {
    problems.push('MEDIA_RTC_MIN_PORT must not be above MEDIA_RTC_MAX_PORT');
  }
  if (!!env.TURN_SECRET !== !!env.TURN_URLS) problems.push('TURN_SECRET and TURN_URLS must be set together');
  if (problems.length) throw new ConfigError(problems);

  return {
    env: env.NODE_ENV,
    port: env.PORT,
    host: env.HOST,
    dataDir: resolve(env.HUB_DATA_DIR ?? defaultDataDir()),
    databaseUrl: env.DATABASE_URL,
    redisUrl: env.REDIS_URL,
    embeddedPgPort: env.EMBEDDED_PG_PORT,
    jwtSecret: env.JWT_SECRET,
    totpEncryptionKey: env.TOTP_ENCRYPTION_KEY,
    auditKey: env.AUDIT_KEY,
    auditSealIntervalMs: env.AUDIT_SEAL_INTERVAL_MS,
    principalCacheSeconds: env.PRINCIPAL_CACHE_SECONDS,
    accessTokenTtlSeconds: env.ACCESS_TOKEN_TTL_SECONDS,
    refreshTokenTtlSeconds: env.REFRESH_TOKEN_TTL_SECONDS,
    loginMaxFailures: env.LOGIN_MAX_FAILURES,
    loginLockMinutes: env.LOGIN_LOCK_MINUTES,
    loginRateLimitPerMinute: env.LOGIN_RATE_LIMIT_PER_MINUTE,
    trustProxy: parseTrustProxy(env.TRUST_PROXY),
    userMaxConcurrentRequests: env.USER_MAX_CONCURRENT_REQUESTS,
    dbStatementTimeoutMs: env.DB_STATEMENT_TIMEOUT_MS,
    dbIdleInTransactionTimeoutMs: env.DB_IDLE_IN_TRANSACTION_TIMEOUT_MS,
    certificateVerifyPerMinute: env.CERTIFICATE_VERIFY_PER_MINUTE,
    takenEmailAnswersPerHour: env.TAKEN_EMAIL_ANSWERS_PER_HOUR,
    corsOrigins: env.CORS_ORIGINS ? env.CORS_ORIGINS.split(',') : [],
    logLevel: env.LOG_LEVEL,
    seedDemo: env.SEED_DEMO ?? !env.DATABASE_URL,
    hubJobs: true,
    webDistDir: resolve(env.WEB_DIST_DIR ?? join(projectRoot(), 'dist', 'web')),
    mfaIssuer: env.MFA_ISSUER,
    media: {
      enabled: env.MEDIA_ENABLED ?? true,
      // One worker per core; one under test (each test file boots its own hub).
      workers: env.MEDIA_WORKERS ?? (env.NODE_ENV === 'test' ? 1 : Math.max(1, availableParallelism())),
      listenIp: env.MEDIA_LISTEN_IP ?? (env.MEDIA_ANNOUNCED_IP ? '0.0.0.0' : '127.0.0.1'),
      announcedIp: env.MEDIA_ANNOUNCED_IP,
      portMin: env.MEDIA_PORT_MIN ?? (env.NODE_ENV === 'test' ? 0 : 44400),
      rtcMinPort: env.MEDIA_RTC_MIN_PORT,
      rtcMaxPort: env.MEDIA_RTC_MAX_PORT,
      workerBin: env.MEDIASOUP_WORKER_BIN,
    },
    cluster: {
      redisUrl: env.REDIS_URL,
      rpcHost: env.MEDIA_NODE_RPC_HOST ?? '127.0.0.1',
      rpcPort: env.MEDIA_NODE_RPC_PORT,
      nodeTtlMs: env.MEDIA_NODE_TTL_SECONDS * 1000,
    },
    turn: { secret: env.TURN_SECRET, urls: env.TURN_URLS ? env.TURN_URLS.split(',') : [], ttlSeconds: env.TURN_TTL_SECONDS },
    shutdownGraceMs: env.SHUTDOWN_GRACE_SECONDS * 1000,
    metricsToken: env.METRICS_TOKEN ?? null,
    fieldNodeSilentHours: env.FIELD_NODE_SILENT_HOURS,
    backup: {
      dir: resolve(env.BACKUP_DIR ?? join(resolve(env.HUB_DATA_DIR ?? defaultDataDir()), 'backups')),
      intervalHours: env.BACKUP_INTERVAL_HOURS ?? (env.DATABASE_URL ? 0 : 24),
      keep: env.BACKUP_KEEP,
    },
  };
}
