import { Transform } from 'class-transformer';
import { IsBoolean, IsIn, IsIP, IsInt, IsOptional, IsString, IsUrl, Matches, Max, Min, MinLength } from 'class-validator';

const toInt = ({ value }: { value: unknown }) =>
  value === undefined || value === '' ? undefined : /^-?\d+$/.test(String(value)) ? Number(value) : value;
const toBool = ({ value }: { value: unknown }) => {
  if (value === undefined || value === '') return undefined;
  const v = String(value).toLowerCase();
  if (['1', 'true', 'yes', 'on'].includes(v)) return true;
  if (['0', 'false', 'no', 'off'].includes(v)) return false;
  return value;
};

/**
 * Every environment variable the hub reads. Validated once at boot; a bad value stops the process with a message
 * naming the variable (see loadConfig).
 */
export class EnvironmentVariables {
  @IsIn(['development', 'production', 'test'])
  NODE_ENV: 'development' | 'production' | 'test' = 'development';

  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(65535)
  PORT = 3000;

  @IsOptional()
  @IsString()
  HOST?: string;

  /** Directory for the embedded database, generated secrets and stored files. */
  @IsOptional()
  @IsString()
  HUB_DATA_DIR?: string;

  /** External PostgreSQL; when set no embedded database is started. */
  @IsOptional()
  @IsUrl({ protocols: ['postgres', 'postgresql'], require_tld: false, require_protocol: true })
  DATABASE_URL?: string;

  /** Redis shared by the hub instances (rate limits; socket.io adapter); unset: PostgreSQL serves both. */
  @IsOptional()
  @IsUrl({ protocols: ['redis', 'rediss'], require_tld: false, require_protocol: true }, { message: 'REDIS_URL must be a redis:// or rediss:// URL' })
  REDIS_URL?: string;

  /** Port of the embedded PostgreSQL; 0 picks a free one at each start. */
  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(65535)
  EMBEDDED_PG_PORT = 0;

  /** HMAC secret for access tokens. Required in production; generated and kept in HUB_DATA_DIR otherwise. */
  @IsOptional()
  @IsString()
  @MinLength(32, { message: 'JWT_SECRET must be at least 32 characters' })
  JWT_SECRET?: string;

  /** HMAC key of the audit chains and checkpoints, kept outside the database. Generated into HUB_DATA_DIR if unset. */
  @IsOptional()
  @IsString()
  @MinLength(32, { message: 'AUDIT_KEY must be at least 32 characters' })
  AUDIT_KEY?: string;

  /** Milliseconds between audit sealing rounds (each seals up to 1,000 records); 0 turns the sealer off. */
  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(60000)
  AUDIT_SEAL_INTERVAL_MS = 100;

  /**
   * Longest the caller loaded for a request is reused without a change notification from PostgreSQL (every change
   * to a user, membership, session or certification empties it at once); 0 turns the cache off.
   */
  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(3600)
  PRINCIPAL_CACHE_SECONDS = 60;

  @Transform(toInt)
  @IsInt()
  @Min(30)
  @Max(86400)
  ACCESS_TOKEN_TTL_SECONDS = 900;

  @Transform(toInt)
  @IsInt()
  @Min(300)
  REFRESH_TOKEN_TTL_SECONDS = 14 * 24 * 3600;

  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(100)
  LOGIN_MAX_FAILURES = 5;

  @Transform(toInt)
  @IsInt()
  @Min(1)
  LOGIN_LOCK_MINUTES = 15;

  /** Login attempts allowed per client address per minute. */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  LOGIN_RATE_LIMIT_PER_MINUTE = 20;

  /**
   * Proxies whose X-Forwarded-For is believed (Express "trust proxy"): `none` (default: the socket's address is
   * the client), a hop count, or comma-separated addresses/subnets (`loopback`, `10.0.0.0/8`, ...).
   */
  @IsOptional()
  @Matches(/^(none|\d{1,2}|[0-9a-zA-Z.:/_-]+(,[0-9a-zA-Z.:/_-]+)*)$/, {
    message: 'TRUST_PROXY must be none, a hop count, or comma-separated addresses/subnets',
  })
  TRUST_PROXY?: string;

  /** Requests one signed-in user may have in flight at once; more answer 429 before they reach the database. */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(1000)
  USER_MAX_CONCURRENT_REQUESTS = 6;

  /** Longest a single SQL statement may run (ms; 0 = no limit). */
  @Transform(toInt)
  @IsInt()
  @Min(0)
  DB_STATEMENT_TIMEOUT_MS = 60_000;

  /** A transaction left idle this long (ms) is ended by PostgreSQL, releasing its locks and connection. */
  @Transform(toInt)
  @IsInt()
  @Min(0)
  DB_IDLE_IN_TRANSACTION_TIMEOUT_MS = 30_000;

  /** Key encrypting TOTP secrets at rest (at least 32 characters); generated into HUB_DATA_DIR when unset. */
  @IsOptional()
  @IsString()
  @MinLength(32, { message: 'TOTP_ENCRYPTION_KEY must be at least 32 characters' })
  TOTP_ENCRYPTION_KEY?: string;

  /** Public certificate verifications per client address and minute. */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  CERTIFICATE_VERIFY_PER_MINUTE = 30;

  /**
   * Accounts a mission administrator may try to create, per hour, with an e-mail address that is already in use:
   * addresses are unique hub-wide, so each such answer tells that the address exists; past this, their account
   * creations answer 429 for the rest of the hour (probing is bounded as well as audited).
   */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  TAKEN_EMAIL_ANSWERS_PER_HOUR = 10;

  /** Comma-separated list of allowed browser origins; empty means same-origin only. */
  @IsOptional()
  @Matches(/^(https?:\/\/[^,\s]+)(,https?:\/\/[^,\s]+)*$/, {
    message: 'CORS_ORIGINS must be a comma-separated list of http(s) origins',
  })
  CORS_ORIGINS?: string;

  @IsIn(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
  LOG_LEVEL = 'info';

  /** Seed demo missions, facilities and users on first start (default: on with the embedded database). */
  @IsOptional()
  @Transform(toBool)
  @IsBoolean()
  SEED_DEMO?: boolean;

  /** Where the built web app lives; default dist/web next to the hub build. */
  @IsOptional()
  @IsString()
  WEB_DIST_DIR?: string;

  /** Issuer name shown in authenticator apps. */
  @IsString()
  MFA_ISSUER = 'Field Telemedicine Hub';

  /** Live consultations (mediasoup SFU). Off: the hub runs without workers and reports live calls unavailable. */
  @IsOptional()
  @Transform(toBool)
  @IsBoolean()
  MEDIA_ENABLED?: boolean;

  /** Number of mediasoup workers (one per core by default). */
  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(64)
  MEDIA_WORKERS?: number;

  /** Local address the WebRtcServers listen on (0.0.0.0 needs MEDIA_ANNOUNCED_IP). */
  @IsOptional()
  @IsIP()
  MEDIA_LISTEN_IP?: string;

  /** IP address announced to browsers in ICE candidates (the hub's address as clients reach it; 3.12 takes no host name). */
  @IsOptional()
  @IsIP()
  MEDIA_ANNOUNCED_IP?: string;

  /**
   * First WebRtcServer port: worker i listens on UDP and TCP port MEDIA_PORT_MIN + i. 0 = an ephemeral port from
   * the RTC range (default under NODE_ENV=test, so parallel test processes do not collide).
   */
  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(65535)
  MEDIA_PORT_MIN?: number;

  /** Port range the workers use for ephemeral ports (PlainTransports in tests and benches, port 0 above). */
  @Transform(toInt)
  @IsInt()
  @Min(1024)
  @Max(65535)
  MEDIA_RTC_MIN_PORT = 40000;

  @Transform(toInt)
  @IsInt()
  @Min(1024)
  @Max(65535)
  MEDIA_RTC_MAX_PORT = 49999;

  /** mediasoup worker binary; default: the cache filled by scripts/mediasoup-worker.sh (npm postinstall). */
  @IsOptional()
  @IsString()
  MEDIASOUP_WORKER_BIN?: string;
  /**
   * coturn's static-auth-secret (use-auth-secret): the hub signs short-lived TURN credentials with it. Unset: no TURN
   * server is handed out (browsers use host and server-reflexive candidates only).
   */
  @IsOptional()
  @IsString()
  @MinLength(16, { message: 'TURN_SECRET must be at least 16 characters' })
  TURN_SECRET?: string;

  /** Comma-separated TURN/STUN URIs handed to admitted participants, e.g. turn:turn.example.org:3478?transport=udp,turns:turn.example.org:5349. */
  @IsOptional()
  @Matches(/^(turns?|stuns?):[^,\s]+(,(turns?|stuns?):[^,\s]+)*$/, {
    message: 'TURN_URLS must be a comma-separated list of turn:, turns:, stun: or stuns: URIs',
  })
  TURN_URLS?: string;

  /** On SIGTERM/SIGINT: how long requests already inside may take to finish before the hub closes anyway. */
  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(600)
  SHUTDOWN_GRACE_SECONDS = 20;

  /** Where backups go (`npm run backup` and the scheduled ones); default `<HUB_DATA_DIR>/backups`. */
  @IsOptional()
  @IsString()
  BACKUP_DIR?: string;

  /** Hours between scheduled backups; 0 turns them off. Default 24 with the embedded database, 0 with DATABASE_URL. */
  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(24 * 30)
  BACKUP_INTERVAL_HOURS?: number;

  /** How many scheduled backups are kept (the oldest are removed). */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(1000)
  BACKUP_KEEP = 7;

  /** Lifetime of the TURN credentials the hub hands out. */
  @Transform(toInt)
  @IsInt()
  @Min(60)
  @Max(86400)
  TURN_TTL_SECONDS = 3600;

  /** Address other hub instances reach this one's internal call port at (media-node RPC). */
  @IsOptional()
  @IsIP()
  MEDIA_NODE_RPC_HOST?: string;

  /** Internal call port (media-node RPC between hub instances); 0 = a free port, announced in the registry. */
  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(65535)
  MEDIA_NODE_RPC_PORT = 0;

  /** A media node whose heartbeat is older than this is dead and its calls are placed elsewhere. */
  @Transform(toInt)
  @IsInt()
  @Min(2)
  @Max(120)
  MEDIA_NODE_TTL_SECONDS = 4;

  /** Hours a field node may go without reaching the hub before the health managers are alerted (a mission may set its own). */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(720)
  FIELD_NODE_SILENT_HOURS = 24;

  /** Bearer token that GET /metrics requires (Prometheus `authorization.credentials`); unset: /metrics is off (404). */
  @IsOptional()
  @IsString()
  @MinLength(24, { message: 'METRICS_TOKEN must be at least 24 characters' })
  METRICS_TOKEN?: string;
}
