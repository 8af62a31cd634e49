/**
 * The condition language of the access policies: a small subset of CASL's MongoDB-style conditions that also
 * compiles to SQL and matches plain records in code, so one rule answers "may they act on this record?" (CASL),
 * "which records may they list?" (SQL) and "which named rule reaches this record?" (matches) alike.
 *
 * Per field: a value (equality; `null` = IS NULL), `{ $in: [...] }`, `{ $ne: value }` (true for null, like MongoDB:
 * SQL `IS DISTINCT FROM`) or `{ $gte: number }`. Fields are ANDed.
 *
 * A field may hold a list (a record's `missionIds`, the users let into a consultation; an `{ array }` column or a field
 * declared in the policy's `arrays`): then, as in MongoDB and CASL, a value matches when the list contains it, `$in`
 * when they share an element (SQL `&&`), `$ne` when the list does not contain it, and
 * `{ $elemMatch: { $nin: [...] } }` when some element is not listed (SQL `NOT (col <@ list)`).
 */
export type Primitive = string | number | boolean | null;
export type FieldCondition =
  | Primitive
  | { readonly $in: readonly Primitive[] }
  | { readonly $ne: Primitive }
  | { readonly $gte: number }
  | { readonly $elemMatch: { readonly $nin: readonly Primitive[] } };
export type Conditions = Readonly<Record<string, FieldCondition>>;

/** Adds a parameter and returns its placeholder (`$n`). */
export type ParamSink = (value: unknown) => string;

export function sqlParams(params: unknown[]): ParamSink {
  return (value) => {
    params.push(value);
    return `$${params.length}`;
  };
}

/** An SQL expression of an array (never NULL), for a field holding a list. */
export interface ArrayColumn {
  readonly array: string;
}

/**
 * The conditions as one SQL predicate over `column(field)`; fields without a column are a programming error.
 * `isArray(field)`: the (string) column holds an array (array semantics above), as an `ArrayColumn` does.
 */
export function conditionsSql(
  conditions: Conditions,
  column: (field: string) => string | ArrayColumn,
  param: ParamSink,
  isArray: (field: string) => boolean = () => false,
): string {
  const parts = Object.entries(conditions).map(([field, v]) => {
    const col = column(field);
    if (typeof col !== 'string') return arraySql(field, col.array, v, param);
    if (isArray(field)) return arraySql(field, col, v, param);
    if (v === null) return `${col} IS NULL`;
    if (typeof v !== 'object') return `${col} = ${param(v)}`;
    if ('$in' in v) return v.$in.length ? `${col} = ANY(${param([...v.$in])})` : 'false';
    if ('$ne' in v) return v.$ne === null ? `${col} IS NOT NULL` : `${col} IS DISTINCT FROM ${param(v.$ne)}`;
    if ('$gte' in v) return `${col} >= ${param(v.$gte)}`;
    throw new Error(`unsupported condition on ${field}: ${JSON.stringify(v)}`);
  });
  return parts.length ? `(${parts.join(' AND ')})` : 'true';
}

function arraySql(field: string, list: string, v: FieldCondition, param: ParamSink): string {
  if (v !== null && typeof v !== 'object') return `${param(v)} = ANY(${list})`;
  if (v && '$in' in v) return v.$in.length ? `${list} && ${param([...v.$in])}` : 'false';
  if (v && '$ne' in v && v.$ne !== null) return `NOT (${param(v.$ne)} = ANY(${list}))`;
  if (v && '$elemMatch' in v) return `NOT (${list} <@ ${param([...v.$elemMatch.$nin])})`;
  throw new Error(`unsupported condition on the list ${field}: ${JSON.stringify(v)}`);
}

/** Whether a record (its fields as the entity has them) meets the conditions, with CASL's semantics. */
export function conditionsMatch(conditions: Conditions, record: Record<string, unknown>): boolean {
  return Object.entries(conditions).every(([field, v]) => {
    const value = record[field] ?? null;
    if (Array.isArray(value)) {
      if (v === null || typeof v !== 'object') return value.includes(v);
      if ('$in' in v) return value.some((x) => v.$in.includes(x as Primitive));
      if ('$ne' in v) return !value.includes(v.$ne);
      if ('$elemMatch' in v) return value.some((x) => !v.$elemMatch.$nin.includes(x as Primitive));
      return false;
    }
    if (v && typeof v === 'object' && '$elemMatch' in v) return false;
    if (v === null || typeof v !== 'object') return value === v;
    if ('$in' in v) return v.$in.includes(value as Primitive);
    if ('$ne' in v) return value !== v.$ne;
    if ('$gte' in v) return typeof value === 'number' && value >= v.$gte;
    return false;
  });
}
