import { ErrorCode, statusOf } from './error-codes';

export interface FieldProblem {
  field: string;
  problems: string[];
  /** The validation rules broken (class-validator constraint names), for clients that translate. */
  rules?: string[];
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

  /** "Not found" and "not yours" are the same answer, so another mission's record cannot be probed. */
  static notFound(subject: string): DomainException {
    return new DomainException(ErrorCode.NotFound, `${subject} not found`);
  }

  static invalid(field: string, problem: string): DomainException {
    return new DomainException(ErrorCode.ValidationFailed, `${field}: ${problem}`, [{ field, problems: [problem] }]);
  }

  static conflict(message: string): DomainException {
    return new DomainException(ErrorCode.Conflict, message);
  }
}
