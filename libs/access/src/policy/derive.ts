import { Action } from '../permissions';
import type { Principal } from '../principal';
import { Conditions, FieldCondition, Primitive } from './conditions';
import { AccessScope, PolicyColumn, PolicyRule, SubjectPolicy } from './subject-policy';

/**
 * Rules of one subject derived from another's ("who may read a case may read its attachments"): a child record
 * (an attachment, a consultation session) carries its parent's condition fields under a prefix (`case` + `facilityId`
 * = `caseFacilityId`; the parent's `id` is `caseId`), and the parent's grants for an action become the child's grants
 * on those fields. The parent's restrictions on that action are folded into each derived grant (a grant AND NOT each
 * restriction, expanded into several grants), so they bind the derived rules only: other rules of the child (the
 * host of a call, an invitee) are not restricted by the parent's.
 */

/** The parent's field as the child record carries it. */
export const parentField = (prefix: string, field: string): string => `${prefix}${field[0].toUpperCase()}${field.slice(1)}`;

/** The parent policy's columns, read from the parent's table joined as `joined(alias)` (the child's alias). */
export function parentColumns(parent: SubjectPolicy, prefix: string, joined: (alias: string) => string): Record<string, PolicyColumn> {
  const out: Record<string, PolicyColumn> = {};
  for (const [field, column] of Object.entries(parent.columns)) {
    if (typeof column !== 'string') throw new Error(`${parent.subject} policy: only plain columns can be carried over (${field})`);
    out[parentField(prefix, field)] = { sql: (alias) => `${joined(alias)}.${column}` };
  }
  return out;
}

/** The parent's condition fields of a loaded parent record, as the child record carries them (for checks in code). */
export function parentFieldsOf(parent: SubjectPolicy, prefix: string, record: Record<string, unknown> | null): Record<string, unknown> {
  return Object.fromEntries(Object.keys(parent.columns).map((field) => [parentField(prefix, field), record ? (record[field] ?? null) : null]));
}

export interface Derivation {
  /** The parent's action the derived rules rest on; `only`: only the parent's grants of these names. */
  readonly from: Action;
  readonly only?: readonly string[];
  /** Name and actions of the derived rules. */
  readonly name: string;
  readonly actions: readonly Action[];
  /** Conditions on the child's own fields added to every derived rule (e.g. "uploaded by the caller"). */
  readonly and?: Conditions;
}

/** The child's grants derived from the parent's grants for `from`, with the parent's restrictions folded in. */
export function derivedRules(parent: SubjectPolicy, prefix: string, principal: Principal, d: Derivation): PolicyRule[] {
  const { grants, restrictions } = AccessScope.of(parent as SubjectPolicy & { subject: typeof parent.subject }, principal).rules({ action: d.from, only: d.only });
  const rename = (c: Conditions): Conditions => Object.fromEntries(Object.entries(c).map(([f, v]) => [parentField(prefix, f), v]));
  let branches: Conditions[] = grants.map((g) => rename(g.conditions));
  for (const r of restrictions) {
    // NOT (f1 AND f2 ...) = (NOT f1) OR (NOT f2) ...: each branch splits into one per negated field.
    const alternatives = Object.entries(rename(r.conditions)).map(([f, v]) => ({ [f]: negate(v, `${parent.subject} restriction ${r.name}, field ${f}`) }));
    branches = branches.flatMap((b) => alternatives.map((alt) => conjoin(b, alt)).filter((c): c is Conditions => c !== null));
  }
  if (d.and) branches = branches.map((b) => conjoin(b, d.and!)).filter((c): c is Conditions => c !== null);
  return branches.map((conditions) => ({ name: d.name, actions: d.actions, conditions }));
}

const isValue = (v: FieldCondition): v is Primitive => v === null || typeof v !== 'object';

function negate(v: FieldCondition, what: string): FieldCondition {
  if (isValue(v)) return { $ne: v };
  if ('$ne' in v) return v.$ne;
  throw new Error(`cannot derive rules through ${what}: no negation of ${JSON.stringify(v)} in the condition language`);
}

/** Both conditions (on fields of one record) as one, or null when no record can meet both. */
function conjoin(a: Conditions, b: Conditions): Conditions | null {
  const out: Record<string, FieldCondition> = { ...a };
  for (const [field, v] of Object.entries(b)) {
    if (!(field in out)) {
      out[field] = v;
      continue;
    }
    const both = both_(out[field], v);
    if (both === NEVER) return null;
    if (both === UNSUPPORTED) throw new Error(`cannot derive rules: ${field} ${JSON.stringify(out[field])} and ${JSON.stringify(v)}`);
    out[field] = both;
  }
  return out;
}

const NEVER = Symbol('never');
const UNSUPPORTED = Symbol('unsupported');

function both_(x: FieldCondition, y: FieldCondition): FieldCondition | typeof NEVER | typeof UNSUPPORTED {
  if (!isValue(x) && isValue(y)) return both_(y, x);
  if (isValue(x)) {
    if (isValue(y)) return x === y ? x : NEVER;
    if ('$ne' in y) return x === y.$ne ? NEVER : x;
    if ('$in' in y) return y.$in.includes(x) ? x : NEVER;
    if ('$gte' in y) return typeof x === 'number' && x >= y.$gte ? x : NEVER;
    return UNSUPPORTED;
  }
  if (isValue(y)) return UNSUPPORTED; // unreachable: swapped above
  if ('$in' in x && '$in' in y) return { $in: x.$in.filter((v) => y.$in.includes(v)) };
  if ('$in' in x && '$ne' in y) return { $in: x.$in.filter((v) => v !== y.$ne) };
  if ('$ne' in x && '$in' in y) return { $in: y.$in.filter((v) => v !== x.$ne) };
  if ('$ne' in x && '$ne' in y && x.$ne === y.$ne) return x;
  if ('$gte' in x && '$gte' in y) return { $gte: Math.max(x.$gte, y.$gte) };
  return UNSUPPORTED;
}
