import { ErrorCode } from './error-codes';

export interface InfrastructureProblem {
  code: ErrorCode.StorageFull | ErrorCode.StorageUnavailable | ErrorCode.DatabaseUnavailable;
  /** Said to the client: no path, no driver text. */
  message: string;
  /** Seconds a client should wait before retrying, when waiting helps. */
  retryAfter?: number;
  /** Which part failed, for logs, readiness and alerts. */
  component: 'files' | 'database';
}

const PG_UNAVAILABLE = new Set(['57P01', '57P02', '57P03', '08000', '08001', '08003', '08004', '08006']);

/**
 * Recognises the failures of the machine rather than of the request: a full or read-only disk (the file store's
 * or PostgreSQL's), or a database that is restarting. They answer 507/503 in the hub's error format instead of a
 * 500, without the server paths the raw errors carry.
 */
export function infrastructureProblem(error: unknown): InfrastructureProblem | undefined {
  if (!error || typeof error !== 'object') return undefined;
  const e = error as { code?: unknown; driverError?: { code?: unknown; message?: unknown }; message?: unknown; cause?: unknown };
  const code = typeof e.code === 'string' ? e.code : undefined;
  const pgCode = typeof e.driverError?.code === 'string' ? e.driverError.code : code;
  const message = String(e.driverError?.message ?? e.message ?? '');
  // Native libraries (sharp, for thumbnails) report the system error in their message only.
  if (code === 'ENOSPC' || code === 'EDQUOT' || (!code && /No space left on device|Disk quota exceeded/i.test(message))) {
    return { code: ErrorCode.StorageFull, component: 'files', message: 'The file store is full: nothing was stored. An administrator must free disk space.' };
  }
  if (code === 'EROFS' || code === 'EIO' || (!code && /Read-only file system/i.test(message))) {
    return { code: ErrorCode.StorageUnavailable, component: 'files', message: 'The file store cannot be written: nothing was stored. An administrator must repair the disk.' };
  }
  if (pgCode === '53100') {
    return { code: ErrorCode.StorageFull, component: 'database', message: 'The database disk is full: nothing was stored. An administrator must free disk space.' };
  }
  if (pgCode === '58030' || pgCode === '25006' || pgCode === '53000') {
    return { code: ErrorCode.StorageUnavailable, component: 'database', message: 'The database cannot write at the moment: nothing was stored.', retryAfter: 30 };
  }
  if (
    (pgCode && PG_UNAVAILABLE.has(pgCode)) ||
    code === 'ECONNREFUSED' ||
    // TypeORM releases a connection's query runner when the connection breaks under it
    ['QueryRunnerAlreadyReleasedError', 'QueryRunnerProviderAlreadyReleasedError'].includes((error as Error).name) ||
    code === 'ECONNRESET' ||
    /Connection terminated|terminating connection due to|timeout exceeded when trying to connect|Client has encountered a connection error|the database system is (starting up|shutting down|in recovery mode)/i.test(message)
  ) {
    return { code: ErrorCode.DatabaseUnavailable, component: 'database', message: 'The database is restarting: try again in a few seconds.', retryAfter: 2 };
  }
  if (e.cause && e.cause !== error) return infrastructureProblem(e.cause);
  return undefined;
}
