import type { ConflictReason } from '@hub/contracts';
import { ErrorCode, statusOf } from './error-codes';

export interface FieldProblem {
  field: string;
  problems: string[];
  /** The validation rules broken (class-validator constraint names), for clients that translate. */
  rules?: string[];
}

/**
 * What a refusal was about, for its audit record. The record is written in one place (denial-recorder.ts in
 * libs/access, called by the exception filter and the socket gateways) after the request's transaction has ended,
 * so a refusal never needs a second pool connection while the first is held.
 */
export interface Denial {
  /** Audit action; default `access.denied`. */
  action?: string;
  subjectType: string;
  subjectId: string | null;
  missionId: string | null;
  details?: Record<string, unknown>;
}

/** The one exception type services throw; the filter turns it into `{ statusCode, code, message, errorId }`. */
export class DomainException extends Error {
  readonly statusCode: number;
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly fields?: FieldProblem[],
    /** Extra top-level members of the error body (e.g. `certification` of CERTIFICATION_REQUIRED). */
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.statusCode = statusOf(code);
  }

  /** The refusal this exception answers (audited by the one denial recorder). */
  denial?: Denial;

  /** Marks the exception as a refusal of access to a record, to be audited where every refusal passes. */
  deniedOn(denial: Denial): this {
    this.denial = denial;
    return this;
  }

  /** True for an answer that refuses the caller something (403, or a 404 that may hide a record). */
  get isRefusal(): boolean {
    return this.statusCode === 403 || this.statusCode === 404 || !!this.denial;
  }

  /** "Not found" and "not yours" are the same answer, so another mission's record cannot be probed. */
  static notFound(subject: string): DomainException {
    return new DomainException(ErrorCode.NotFound, `${subject} not found`);
  }

  static invalid(field: string, problem: string): DomainException {
    return new DomainException(ErrorCode.ValidationFailed, `${field}: ${problem}`, [{ field, problems: [problem] }]);
  }

  /**
   * A 409: the record's state does not allow the request. `reason` (and its values) lets a client say why in its
   * reader's language (`params.reason` of the body, listed in CONFLICT_REASONS); `message` stays for logs and
   * English readers.
   */
  static conflict(message: string, reason: ConflictReason, params: Record<string, string | number> = {}): DomainException {
    return new DomainException(ErrorCode.Conflict, message, undefined, { params: { ...params, reason } });
  }
}
