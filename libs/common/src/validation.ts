import { ValidationError, ValidationPipe } from '@nestjs/common';
import { ErrorCode } from './error-codes';
import { DomainException, FieldProblem } from './domain.exception';

function flatten(errors: ValidationError[], parent = ''): FieldProblem[] {
  return errors.flatMap((e) => {
    const field = parent ? `${parent}.${e.property}` : e.property;
    // `rules` name the broken constraints (isNotEmpty, maxLength…) so clients can say them in the reader's language.
    const own: FieldProblem[] = e.constraints
      ? [{ field, problems: Object.values(e.constraints), rules: Object.keys(e.constraints) }]
      : [];
    return [...own, ...flatten(e.children ?? [], field)];
  });
}

/** Whitelisting validation: unknown fields are rejected, and every message names its field. */
export function createValidationPipe(): ValidationPipe {
  return new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    stopAtFirstError: false,
    exceptionFactory: (errors) => {
      const fields = flatten(errors);
      const message = fields.map((f) => f.problems.join('; ')).join('; ');
      return new DomainException(ErrorCode.ValidationFailed, message || 'Invalid request', fields);
    },
  });
}
