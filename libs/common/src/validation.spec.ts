import 'reflect-metadata';
import { Type } from 'class-transformer';
import { IsOptional, IsString, ValidateNested } from 'class-validator';
import { createValidationPipe, NullAllowed } from './validation';
import { IsIsoDate } from './iso-date';

class Inner {
  @IsString() type!: string;
}
class Body {
  @IsOptional() @IsString() name?: string;
  @IsOptional() @NullAllowed() @IsString() clearable?: string | null;
  @IsOptional() @ValidateNested() @Type(() => Inner) evacuation?: Inner;
  @IsOptional() @ValidateNested({ each: true }) @Type(() => Inner) questions?: Inner[];
  @IsOptional() @IsIsoDate('date-time') at?: string;
  @IsOptional() @IsIsoDate('date') on?: string;
}

const check = (value: object) =>
  createValidationPipe()
    .transform(value, { type: 'body', metatype: Body })
    .then(
      () => null,
      (e: { fields: { field: string }[] }) => e.fields.map((f) => f.field),
    );

describe('validation pipe', () => {
  it('refuses null in an optional field unless it is marked NullAllowed', async () => {
    expect(await check({ name: null })).toEqual(['name']);
    expect(await check({ clearable: null })).toBeNull();
  });

  it('refuses an array where an object is expected, and non-objects in a list of objects', async () => {
    expect(await check({ evacuation: [] })).toEqual(['evacuation']);
    expect(await check({ questions: [[]] })).toEqual(['questions']);
    expect(await check({ evacuation: { type: 'none' }, questions: [{ type: 'x' }] })).toBeNull();
  });

  it('accepts calendar dates and offset date-times only', async () => {
    expect(await check({ at: '2026-01-05T10:00:00Z', on: '2026-02-28' })).toBeNull();
    for (const at of ['2026-W01-1', '2026-001', '+275760-09-13T00:00:00Z', '2026-02-30T10:00:00Z', '2026-01-05']) {
      expect(await check({ at })).toEqual(['at']);
    }
    expect(await check({ on: '2026-02-30' })).toEqual(['on']);
  });
});
