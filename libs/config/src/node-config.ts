import { plainToInstance, Transform } from 'class-transformer';
import { IsInt, IsOptional, IsString, IsUrl, Length, Max, Min, validateSync } from 'class-validator';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { AppConfig, ConfigError, loadConfig } from './config';

const toInt = ({ value }: { value: unknown }) =>
  value === undefined || value === '' ? undefined : /^-?\d+$/.test(String(value)) ? Number(value) : value;

/** The demo hub registers MINUSCA's Bangui Level 1 clinic's node with this enrolment code (apps/hub/src/seed). */
export const DEMO_NODE_ENROLMENT_CODE = 'DEMO-MINUSCA-BANGUI-NODE';

/** Environment of a field node (apps/field-node, docs/field-node.md), on top of the hub's own variables. */
export class NodeEnvironmentVariables {
  /** The hub this node syncs with. */
  @IsUrl({ protocols: ['http', 'https'], require_tld: false, require_protocol: true }, { message: 'HUB_URL must be the http(s) URL of the hub, e.g. http://localhost:3000' })
  HUB_URL = 'http://localhost:3000';

  @IsOptional()
  @IsString()
  NODE_DATA_DIR?: string;

  /** One-time code from the hub's administrator; without it the demo code is tried. */
  @IsOptional()
  @Length(8, 100, { message: 'NODE_ENROLMENT_CODE must be the enrolment code the hub gave' })
  NODE_ENROLMENT_CODE?: string;

  /** Pause between sync rounds while the link works. */
  @Transform(toInt)
  @IsInt({ message: 'NODE_SYNC_INTERVAL_MS must be a whole number of milliseconds' })
  @Min(100)
  @Max(3_600_000)
  NODE_SYNC_INTERVAL_MS = 5000;

  /** Longest pause after failed rounds (back-off doubles up to it). */
  @Transform(toInt)
  @IsInt({ message: 'NODE_SYNC_MAX_BACKOFF_MS must be a whole number of milliseconds' })
  @Min(100)
  @Max(3_600_000)
  NODE_SYNC_MAX_BACKOFF_MS = 60_000;

  /** Largest push body; small batches finish between cuts of a bad link (64 kbit/s: 48 KB take 6 s). */
  @Transform(toInt)
  @IsInt({ message: 'NODE_SYNC_BATCH_BYTES must be a whole number of bytes' })
  @Min(1000)
  @Max(900_000)
  NODE_SYNC_BATCH_BYTES = 48_000;
}

export interface NodeConfig {
  /** The application's configuration (same libraries as the hub), with the node's data directory. */
  app: AppConfig;
  hubUrl: string;
  dataDir: string;
  enrolmentCode: string;
  syncIntervalMs: number;
  maxBackoffMs: number;
  batchBytes: number;
}

function defaultNodeDataDir(): string {
  if (process.getuid?.() === 0) return '/var/lib/field-telemed-node';
  return join(process.env.XDG_DATA_HOME || join(homedir(), '.local', 'share'), 'field-telemed-node');
}

/**
 * Validates a node's environment. The node always runs its own embedded PostgreSQL, no demo seed (its data comes
 * from the hub), no SLA jobs (the hub escalates) and no SFU.
 */
export function loadNodeConfig(source: NodeJS.ProcessEnv = process.env): NodeConfig {
  const raw: Record<string, unknown> = {};
  for (const key of Object.keys(new NodeEnvironmentVariables()).concat('NODE_DATA_DIR', 'NODE_ENROLMENT_CODE')) {
    if (source[key] !== undefined) raw[key] = source[key];
  }
  const env = plainToInstance(NodeEnvironmentVariables, raw);
  const problems = validateSync(env).flatMap((e) => Object.values(e.constraints ?? {}).map((m) => (m.startsWith(e.property) ? m : `${e.property}: ${m}`)));
  if (source.DATABASE_URL) problems.push('DATABASE_URL: a field node keeps its own embedded database; unset it');
  if (problems.length) throw new ConfigError(problems);
  const dataDir = resolve(env.NODE_DATA_DIR ?? defaultNodeDataDir());
  const app = { ...loadConfig({ ...source, HUB_DATA_DIR: dataDir, SEED_DEMO: 'false', MEDIA_ENABLED: 'off' }), hubJobs: false };
  return {
    app,
    hubUrl: env.HUB_URL.replace(/\/+$/, ''),
    dataDir,
    enrolmentCode: env.NODE_ENROLMENT_CODE ?? DEMO_NODE_ENROLMENT_CODE,
    syncIntervalMs: env.NODE_SYNC_INTERVAL_MS,
    maxBackoffMs: env.NODE_SYNC_MAX_BACKOFF_MS,
    batchBytes: env.NODE_SYNC_BATCH_BYTES,
  };
}
