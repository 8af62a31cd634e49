import { ArgumentsHost, Catch, ExceptionFilter, HttpException, HttpStatus, Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { Request, Response } from 'express';
import { ErrorCode, statusOf } from './error-codes';
import { DomainException } from './domain.exception';
import { infrastructureProblem } from './infrastructure-errors';
import { storageHealth } from './storage-health';

const HTTP_CODES: Record<number, ErrorCode> = {
  400: ErrorCode.ValidationFailed,
  401: ErrorCode.Unauthenticated,
  403: ErrorCode.Forbidden,
  404: ErrorCode.NotFound,
  409: ErrorCode.Conflict,
  413: ErrorCode.PayloadTooLarge,
  429: ErrorCode.TooManyRequests,
};

/**
 * Called for every refusal (403, 404 or an exception marked with a denial) answered to a request, before the answer
 * is sent: the access layer audits it there, the one place every refusal passes through.
 */
export type RefusalHook = (exception: DomainException, req: Request) => Promise<void>;

/** A database error caused by the request's content, answered 400 naming the field where PostgreSQL names it. */
function databaseInputError(exception: unknown): DomainException | null {
  const e = exception as { code?: unknown; column?: unknown; message?: unknown; name?: unknown };
  if (typeof e?.code !== 'string' || !(e.name === 'QueryFailedError' || e.name === 'error')) return null;
  const field = typeof e.column === 'string' ? e.column.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase()) : '(body)';
  switch (e.code) {
    case '23502': // not_null_violation
      return DomainException.invalid(field, 'must not be null');
    case '22021': // character_not_in_repertoire (NUL byte)
    case '22P05': // untranslatable_character (lone surrogate in json)
      return DomainException.invalid(field, 'contains a character that cannot be stored (NUL or a lone surrogate)');
    case '22007': // invalid_datetime_format
    case '22008': // datetime_field_overflow
      return DomainException.invalid(field, 'is not a valid date');
    case '22001': // string_data_right_truncation
      return DomainException.invalid(field, 'is too long');
    case '22003': // numeric_value_out_of_range
      return DomainException.invalid(field, 'is out of range');
    case '22P02': // invalid_text_representation
      return DomainException.invalid(field, 'has an invalid format');
    default:
      return null;
  }
}

/** The pool had no free connection in time: a 503 asking to retry, not a 500. */
function poolExhausted(exception: unknown): boolean {
  const message = (exception as Error)?.message ?? '';
  return /timeout exceeded when trying to connect|Connection terminated due to connection timeout/.test(message);
}

/** Maps every error to `{ statusCode, code, message, errorId }`; 500s are logged with their errorId. */
@Catch()
export class AllExceptionsFilter implements ExceptionFilter {
  private readonly logger = new Logger('Errors');

  constructor(private readonly onRefusal?: RefusalHook) {}

  async catch(exception: unknown, host: ArgumentsHost): Promise<void> {
    if (host.getType() !== 'http') throw exception;
    const ctx = host.switchToHttp();
    const res = ctx.getResponse<Response>();
    const req = ctx.getRequest<Request & { id?: string }>();
    const errorId = randomUUID();
    const problem = exception instanceof HttpException || exception instanceof DomainException ? undefined : infrastructureProblem(exception);
    if (problem) {
      // A full or read-only disk, or a database restarting: logged at error level (without request data), answered
      // 507/503 with the hub's error body, no path or driver text.
      this.logger.error({ errorId, requestId: req.id, component: problem.component, code: problem.code, err: exception }, `${problem.code}: ${problem.message}`);
      if (problem.code === ErrorCode.StorageFull) storageHealth.report(problem.component, 'full');
      if (problem.code === ErrorCode.StorageUnavailable) storageHealth.report(problem.component, 'read-only');
      if (!res.headersSent) {
        if (problem.retryAfter) res.setHeader('Retry-After', String(problem.retryAfter));
        res.status(statusOf(problem.code)).json({ statusCode: statusOf(problem.code), code: problem.code, message: problem.message, errorId });
      }
      return;
    }
    const mapped = databaseInputError(exception) ?? exception;
    const body = this.toBody(mapped, errorId);
    if (body.statusCode >= 500) {
      this.logger.error(
        { errorId, requestId: req.id, path: req.route?.path ?? req.path, err: exception },
        `Unhandled error ${errorId}`,
      );
    }
    if (mapped instanceof DomainException && mapped.isRefusal && this.onRefusal) {
      try {
        await this.onRefusal(mapped, req);
      } catch (e) {
        this.logger.error({ errorId, requestId: req.id, err: e }, 'could not audit a refusal');
      }
    }
    if (!res.headersSent) res.status(body.statusCode).json(body);
  }

  private toBody(exception: unknown, errorId: string) {
    if (poolExhausted(exception)) {
      return {
        statusCode: HttpStatus.SERVICE_UNAVAILABLE,
        code: ErrorCode.Busy,
        message: 'The hub is busy; try again in a few seconds',
        errorId,
      };
    }
    if (exception instanceof DomainException) {
      return {
        statusCode: exception.statusCode,
        code: exception.code,
        message: exception.message,
        errorId,
        ...(exception.fields ? { fields: exception.fields } : {}),
        ...(exception.details ?? {}),
      };
    }
    if (exception instanceof HttpException) {
      const statusCode = exception.getStatus();
      const response = exception.getResponse();
      let message = exception.message;
      if (typeof response === 'object' && response && 'message' in response) {
        const m = (response as { message: unknown }).message;
        message = Array.isArray(m) ? m.join('; ') : String(m);
      }
      // body-parser errors (malformed JSON, too large) arrive as HttpExceptions or raw errors with a status
      return { statusCode, code: HTTP_CODES[statusCode] ?? ErrorCode.Internal, message, errorId };
    }
    const status = (exception as { status?: number; statusCode?: number })?.status;
    if (typeof status === 'number' && status >= 400 && status < 500) {
      const message =
        (exception as { type?: string }).type === 'entity.parse.failed'
          ? 'Request body is not valid JSON'
          : ((exception as Error).message ?? 'Bad request');
      return { statusCode: status, code: HTTP_CODES[status] ?? ErrorCode.ValidationFailed, message, errorId };
    }
    return {
      statusCode: HttpStatus.INTERNAL_SERVER_ERROR,
      code: ErrorCode.Internal,
      message: `Internal error; quote ${errorId} when reporting it`,
      errorId,
    };
  }
}
