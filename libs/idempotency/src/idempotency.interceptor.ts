import { CallHandler, ExecutionContext, Injectable, NestInterceptor } from '@nestjs/common';
import type { Request, Response } from 'express';
import { from, lastValueFrom, Observable } from 'rxjs';
import { DataSource, QueryRunner } from 'typeorm';
import { DomainException, ErrorCode } from '@hub/common';
import { runInAmbientTransaction, settleAfterCommit } from '@hub/database';
import { IDEMPOTENCY_KEY_PATTERN, requestFingerprint } from './fingerprint';

// Nest's metadata keys (@nestjs/common constants), read directly to keep this file free of Nest internals.
const HTTP_CODE_METADATA = '__httpCode__';
const ROUTE_ARGS_METADATA = '__routeArguments__';
const RESPONSE_PASSTHROUGH_METADATA = '__responsePassthrough__';
const RESPONSE_PARAM = 1; // RouteParamtypes.RESPONSE

const METHODS = new Set(['POST', 'PUT', 'PATCH']);

interface StoredAnswer {
  fingerprint: string;
  status_code: number;
  response: unknown;
}

/**
 * `Idempotency-Key` on POST/PUT/PATCH by an authenticated caller. The handler runs inside one ambient transaction
 * (see libs/database ambient-transaction.ts) in which the key, the request's fingerprint and the answer are stored
 * together with the write, so that after a crash either both exist or neither does. A retry with the same key and
 * the same request gets the first answer again (`Idempotent-Replayed: true`); the same key for another request is
 * 422 IDEMPOTENCY_KEY_REUSED; the same key while the first request still runs is 409 IDEMPOTENCY_KEY_IN_FLIGHT with
 * `Retry-After: 1`. Failed requests store nothing: a retry runs again.
 *
 * Routes that stream their own response (`@Res()`) or take a non-JSON body (tus uploads, file uploads) are left
 * alone: their bodies are not kept in the database.
 */
@Injectable()
export class IdempotencyInterceptor implements NestInterceptor {
  constructor(private readonly dataSource: DataSource) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (context.getType() !== 'http') return next.handle();
    const req = context.switchToHttp().getRequest<Request & { principal?: { userId: string } }>();
    const res = context.switchToHttp().getResponse<Response>();
    const header = req.headers['idempotency-key'];
    if (header === undefined || !METHODS.has(req.method) || !req.principal) return next.handle();
    if (this.writesOwnResponse(context) || hasStreamedBody(req)) return next.handle();
    if (typeof header !== 'string' || !IDEMPOTENCY_KEY_PATTERN.test(header)) {
      throw DomainException.invalid('Idempotency-Key', 'must be 1 to 200 visible ASCII characters, sent once');
    }
    const path = req.originalUrl.slice(0, 500);
    const fingerprint = requestFingerprint(req.method, path, req.body);
    const status = this.statusOf(context, req.method);
    return from(this.run(req.principal.userId, header, req.method, path, fingerprint, status, res, () => lastValueFrom(next.handle(), { defaultValue: undefined })));
  }

  private async run(
    userId: string,
    key: string,
    method: string,
    path: string,
    fingerprint: string,
    status: number,
    res: Response,
    handle: () => Promise<unknown>,
  ): Promise<unknown> {
    const runner = this.dataSource.createQueryRunner();
    await runner.connect();
    try {
      await runner.startTransaction();
      const [{ locked }] = await runner.query('SELECT pg_try_advisory_xact_lock(hashtextextended($1, 0)) AS locked', [`idempotency:${userId}:${key}`]);
      if (!locked) {
        res.setHeader('Retry-After', '1');
        throw new DomainException(ErrorCode.IdempotencyKeyInFlight, 'Idempotency-Key: a request with this key is still being processed; retry in a moment');
      }
      const stored = await this.find(runner, userId, key);
      if (stored) {
        await runner.commitTransaction();
        if (stored.fingerprint !== fingerprint) {
          throw new DomainException(
            ErrorCode.IdempotencyKeyReused,
            'Idempotency-Key: this key was already used for a different request; use a new key for a new request',
            [{ field: 'Idempotency-Key', problems: ['already used for a different request'] }],
          );
        }
        res.setHeader('Idempotent-Replayed', 'true');
        return stored.response ?? undefined;
      }
      let result: unknown;
      try {
        result = await runInAmbientTransaction(runner, handle);
      } catch (e) {
        // What the handler's inner transactions completed (e.g. a refusal's audit record) stays, as without a key.
        // The handler's error is the answer, even when the connection is gone and the commit fails too.
        if (runner.isTransactionActive && !runner.isReleased) {
          const committed = await runner.commitTransaction().then(() => true, () => false);
          settleAfterCommit(runner, committed);
        }
        throw e;
      }
      const body = result === undefined ? null : JSON.parse(JSON.stringify(result));
      await runner.query(
        'INSERT INTO idempotency_keys (user_id, key, method, path, fingerprint, status_code, response) VALUES ($1, $2, $3, $4, $5, $6, $7::jsonb)',
        [userId, key, method, path, fingerprint, status, JSON.stringify(body)],
      );
      await runner.commitTransaction();
      crashAfterCommitIfAsked(key);
      settleAfterCommit(runner, true);
      return result;
    } catch (e) {
      if (runner.isTransactionActive && !runner.isReleased) await runner.rollbackTransaction().catch(() => undefined);
      settleAfterCommit(runner, false);
      throw e;
    } finally {
      await runner.release().catch(() => undefined);
    }
  }

  private async find(runner: QueryRunner, userId: string, key: string): Promise<StoredAnswer | undefined> {
    const rows: StoredAnswer[] = await runner.query(
      'SELECT fingerprint, status_code, response FROM idempotency_keys WHERE user_id = $1 AND key = $2',
      [userId, key],
    );
    return rows[0];
  }

  private statusOf(context: ExecutionContext, method: string): number {
    const declared = Reflect.getMetadata(HTTP_CODE_METADATA, context.getHandler()) as number | undefined;
    return declared ?? (method === 'POST' ? 201 : 200);
  }

  /** Handlers with `@Res()` (without passthrough) answer by themselves: there is no returned body to keep. */
  private writesOwnResponse(context: ExecutionContext): boolean {
    const controller = context.getClass();
    const method = context.getHandler().name;
    const args = (Reflect.getMetadata(ROUTE_ARGS_METADATA, controller, method) ?? {}) as Record<string, unknown>;
    const usesResponse = Object.keys(args).some((k) => k.split(':')[0] === String(RESPONSE_PARAM));
    return usesResponse && !Reflect.getMetadata(RESPONSE_PASSTHROUGH_METADATA, controller, method);
  }
}

/**
 * Fault injection for the crash test (NODE_ENV=test only): the process dies by SIGKILL right after committing the
 * request with this key, before answering, as a power cut would.
 */
function crashAfterCommitIfAsked(key: string): void {
  if (process.env.NODE_ENV === 'test' && process.env.HUB_TEST_CRASH_AFTER_COMMIT_KEY === key) process.kill(process.pid, 'SIGKILL');
}

/** A body the JSON parser did not read (file uploads, tus): streamed to the handler, not fingerprinted. */
function hasStreamedBody(req: Request): boolean {
  const hasBody = Number(req.headers['content-length'] ?? 0) > 0 || req.headers['transfer-encoding'] !== undefined;
  return hasBody && !req.is('application/json');
}
