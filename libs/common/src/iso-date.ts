import { ValidateBy, ValidationOptions } from 'class-validator';

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})T([01]\d|2[0-3]):[0-5]\d(:[0-5]\d(\.\d{1,6})?)?(Z|[+-]([01]\d|2[0-3]):[0-5]\d)$/;

function realDay(y: string, m: string, d: string): boolean {
  const date = new Date(Date.UTC(Number(y), Number(m) - 1, Number(d)));
  return date.getUTCFullYear() === Number(y) && date.getUTCMonth() === Number(m) - 1 && date.getUTCDate() === Number(d);
}

/**
 * A calendar date (`YYYY-MM-DD`) or a date-time with its offset (`YYYY-MM-DDTHH:MM[:SS[.ffffff]](Z|±HH:MM)`), years
 * 1000-9999, a real day. class-validator's IsDateString/IsISO8601 also accept ISO week and ordinal dates
 * (`2026-W01-1`, `2026-001`) and expanded years, which JavaScript's Date cannot read: they reached the database as
 * invalid dates (500).
 */
export function IsIsoDate(kind: 'date' | 'date-time', options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isIsoDate',
      validator: {
        validate: (value: unknown) => {
          if (typeof value !== 'string') return false;
          const m = (kind === 'date' ? DATE : DATE_TIME).exec(value);
          return !!m && Number(m[1]) >= 1000 && realDay(m[1], m[2], m[3]) && Number.isFinite(Date.parse(value));
        },
        defaultMessage: (args) => `${args?.property} must be ${kind === 'date' ? 'a date (YYYY-MM-DD)' : 'an ISO 8601 date-time with its offset'}`,
      },
    },
    options,
  );
}
