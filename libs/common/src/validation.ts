import { ValidationError, ValidationPipe } from '@nestjs/common';
import { getMetadataStorage, IS_OPTIONAL, ValidatorOptions } from 'class-validator';
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

const NULL_ALLOWED = Symbol('hub:null-allowed');

/**
 * Marks an optional DTO field that accepts `null` (meaning "clear it"). Every other optional field refuses an
 * explicit null with 400: class-validator's IsOptional lets null through, and it then reaches NOT NULL columns.
 */
export function NullAllowed(): PropertyDecorator {
  return (target, property) => {
    const own: Set<string | symbol> = Reflect.getOwnMetadata(NULL_ALLOWED, target) ?? new Set(Reflect.getMetadata(NULL_ALLOWED, target) ?? []);
    own.add(property);
    Reflect.defineMetadata(NULL_ALLOWED, own, target);
  };
}

/**
 * Explicit nulls in optional fields not marked NullAllowed, and arrays where a nested object is expected (or
 * non-objects in a list of them), in the DTO instance and the DTOs nested in it.
 */
export function nullProblems(value: unknown, depth = 0): ValidationError[] {
  if (!value || typeof value !== 'object' || depth > 16) return [];
  if (Array.isArray(value)) {
    return value.flatMap((v, i) => nest(String(i), v, nullProblems(v, depth + 1)));
  }
  const target = (value as object).constructor;
  const metas = target && target !== Object ? getMetadataStorage().getTargetValidationMetadatas(target, '', true, false) : [];
  const allowed: Set<string | symbol> = Reflect.getMetadata(NULL_ALLOWED, target.prototype ?? {}) ?? new Set();
  const optional = new Set(metas.filter((m) => m.name === IS_OPTIONAL).map((m) => m.propertyName));
  const nested = new Set(metas.filter((m) => m.type === 'nestedValidation').map((m) => m.propertyName));
  const errors: ValidationError[] = [];
  const problem = (k: string, v: unknown, message: string) =>
    errors.push({ property: k, value: v, constraints: { shape: message }, children: [] } as ValidationError);
  for (const [k, v] of Object.entries(value)) {
    if (v === null && optional.has(k) && !allowed.has(k)) {
      problem(k, v, `${k} must not be null (leave it out instead)`);
    } else if (nested.has(k) && v !== null && v !== undefined && !wellShaped(v, Reflect.getMetadata('design:type', target.prototype, k) === Array)) {
      // ValidateNested lets `[]` through where an object is expected, and `[[]]` where a list of objects is.
      problem(k, v, Reflect.getMetadata('design:type', target.prototype, k) === Array ? `${k} must be a list of objects` : `${k} must be an object`);
    } else if (v && typeof v === 'object') {
      errors.push(...nest(k, v, nullProblems(v, depth + 1)));
    }
  }
  return errors;
}

const isObject = (v: unknown) => typeof v === 'object' && v !== null && !Array.isArray(v);
function wellShaped(v: unknown, list: boolean): boolean {
  return list ? Array.isArray(v) && v.every(isObject) : isObject(v);
}

function nest(property: string, value: unknown, children: ValidationError[]): ValidationError[] {
  return children.length ? [{ property, value, children } as ValidationError] : [];
}

/** The ValidationPipe with the null rule above added to class-validator's. */
class HubValidationPipe extends ValidationPipe {
  protected override async validate(object: object, validatorOptions?: ValidatorOptions): Promise<ValidationError[]> {
    const errors = await super.validate(object, validatorOptions);
    const nulls = nullProblems(object).filter((n) => !errors.some((e) => e.property === n.property));
    return [...errors, ...nulls];
  }
}

/** Whitelisting validation: unknown fields are rejected, and every message names its field. */
export function createValidationPipe(): ValidationPipe {
  return new HubValidationPipe({
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
