import type { AbilityBuilder, MongoAbility } from '@casl/ability';
import { Action, SubjectName } from '../permissions';
import type { Principal } from '../principal';
import { ArrayColumn, Conditions, conditionsMatch, conditionsSql, sqlParams } from './conditions';

/**
 * One named rule of a subject's policy. A grant lets the caller perform `actions` on the records meeting
 * `conditions`; a restriction (`restricts: true`, CASL `cannot`) refuses them on matching records whatever the
 * grants say. The same rule becomes a CASL rule (record checks), a SQL predicate (lists, queues) and a matcher.
 */
export interface PolicyRule {
  /** Stable, readable name ("clinic", "assigned-doctor"): lists choose rules by name, tests and docs cite it. */
  readonly name: string;
  readonly actions: readonly Action[];
  readonly conditions: Conditions;
  readonly restricts?: boolean;
}

/**
 * Where a condition field lives in SQL: a column of the subject's table (its name), or an expression over the
 * subject's alias: `{ sql }` a single value (a column of a table the policy joins), `{ array }` a list that is never
 * NULL (`ARRAY(SELECT ...)`: the users an invitation names). The same expressions load the record a check is made on.
 */
export type PolicyColumn =
  | string
  | ((alias: string) => string)
  | { readonly sql: (alias: string) => string }
  | { readonly array: (alias: string) => string };

/**
 * The whole access policy of one subject: its rules for a caller, and the SQL column of each condition field. The
 * ability factory turns `rules` into CASL rules; repositories take an `AccessScope` of it, which turns the very same
 * rules into SQL. A new rule (a restriction such as "sensitive records") is one more entry in `rules`.
 */
export interface SubjectPolicy {
  readonly subject: SubjectName;
  /**
   * Condition field -> column of the subject's table (without alias), or an SQL expression over the alias (a value
   * the table does not hold, e.g. the missions a certificate's holder belongs to; see PolicyColumn).
   */
  readonly columns: Readonly<Record<string, PolicyColumn>>;
  /** Fields whose column or expression is an SQL array (e.g. `missionIds`): list semantics (conditions.ts). */
  readonly arrays?: readonly string[];
  /** Tables the column expressions read (e.g. the case of an attachment), joined after the subject's table. */
  joins?(alias: string): string;
  rules(principal: Principal): readonly PolicyRule[];
}

/** A policy column over `alias`, as the condition compiler takes it. */
function columnSql(column: PolicyColumn, alias: string): string | ArrayColumn {
  if (typeof column === 'string') return `${alias}.${column}`;
  if (typeof column === 'function') return column(alias);
  return 'array' in column ? { array: column.array(alias) } : column.sql(alias);
}

/** The policy's joins over `alias` (empty when it reads only the subject's table). */
export function policyJoins(policy: SubjectPolicy, alias: string): string {
  return policy.joins ? policy.joins(alias) : '';
}

/**
 * Every condition field of the policy as a select list (`<expr> AS "field"`) over `alias` (with `policyJoins`): the
 * record a CASL check is made on holds exactly the values the SQL filter compares.
 */
export function policyFieldsSql(policy: SubjectPolicy, alias: string): string {
  return Object.entries(policy.columns)
    .map(([field, column]) => {
      const sql = columnSql(column, alias);
      return `${typeof sql === 'string' ? sql : sql.array} AS "${field}"`;
    })
    .join(', ');
}

const covers = (rule: PolicyRule, action: Action) => rule.actions.includes(action) || rule.actions.includes(Action.Manage);

/** Adds the policy's rules for the caller to a CASL ability under construction: grants first, then restrictions. */
export function applyPolicy<A extends MongoAbility>(builder: Pick<AbilityBuilder<A>, 'can' | 'cannot'>, policy: SubjectPolicy, principal: Principal): void {
  const rules = rulesOf(policy, principal);
  type Can = (action: string[], subject: string, conditions?: object) => void;
  // A rule without conditions is unconditional for CASL too (so a restriction also refuses the type-level check).
  const conditions = (r: PolicyRule) => (Object.keys(r.conditions).length ? r.conditions : undefined);
  for (const r of rules.filter((x) => !x.restricts)) (builder.can as unknown as Can)([...r.actions], policy.subject, conditions(r));
  for (const r of rules.filter((x) => x.restricts)) (builder.cannot as unknown as Can)([...r.actions], policy.subject, conditions(r));
}

/** Rules per (policy, principal object): the principal resolver reuses one Principal until the user changes. */
const cache = new WeakMap<Principal, Map<SubjectPolicy, readonly PolicyRule[]>>();
function rulesOf(policy: SubjectPolicy, principal: Principal): readonly PolicyRule[] {
  let byPolicy = cache.get(principal);
  if (!byPolicy) cache.set(principal, (byPolicy = new Map()));
  let rules = byPolicy.get(policy);
  if (!rules) byPolicy.set(policy, (rules = policy.rules(principal)));
  return rules;
}

export interface ScopeOptions {
  /** Default: read. */
  action?: Action;
  /** Only these grants (by name), e.g. a doctor's queue; restrictions always apply. */
  only?: readonly string[];
}

/**
 * The caller's reach on one subject, as repositories take it (novu-style: a list query without the caller's scope
 * does not compile, and the scope can only be made from the subject's policy). Its SQL is compiled from the same
 * rules as the CASL ability, so what a list returns and what a record check allows cannot disagree.
 */
export class AccessScope<S extends SubjectName = SubjectName> {
  private constructor(
    readonly subject: S,
    readonly principal: Principal,
    private readonly policy: SubjectPolicy,
  ) {}

  static of<S extends SubjectName>(policy: SubjectPolicy & { subject: S }, principal: Principal): AccessScope<S> {
    return new AccessScope(policy.subject, principal, policy);
  }

  get userId(): string {
    return this.principal.userId;
  }

  /** The joins the policy's condition fields need, over `alias` (put them after `FROM <table> <alias>`). */
  joins(alias: string): string {
    return policyJoins(this.policy, alias);
  }

  /** The policy's condition fields as a select list over `alias` (see `policyFieldsSql`). */
  fields(alias: string): string {
    return policyFieldsSql(this.policy, alias);
  }

  /** The grants for the action (optionally only those named) and every restriction on it. */
  rules(options: ScopeOptions = {}): { grants: PolicyRule[]; restrictions: PolicyRule[] } {
    const action = options.action ?? Action.Read;
    const rules = rulesOf(this.policy, this.principal).filter((r) => covers(r, action));
    return {
      grants: rules.filter((r) => !r.restricts && (!options.only || options.only.includes(r.name))),
      restrictions: rules.filter((r) => r.restricts),
    };
  }

  /**
   * A SQL predicate over the table aliased `alias`: (any grant) AND NOT (any restriction). Parameters are appended
   * to `params` (placeholders continue its numbering).
   */
  where(alias: string, params: unknown[], options: ScopeOptions = {}): string {
    const { grants, restrictions } = this.rules(options);
    const param = sqlParams(params);
    const grant = grants.map((r) => this.sql(r.conditions, alias, param)).filter((s) => s !== 'false');
    const text = grant.length ? `(${grant.join(' OR ')})` : 'false';
    return [text, ...this.restrictionSql(alias, params, options)].join(' AND ');
  }

  /** `NOT COALESCE(<restriction>, false)` for each restriction on the action (for queries built per grant). */
  restrictionSql(alias: string, params: unknown[], options: ScopeOptions = {}): string[] {
    const param = sqlParams(params);
    return this.rules(options).restrictions.map((r) => `NOT COALESCE(${this.sql(r.conditions, alias, param)}, false)`);
  }

  /** One rule's conditions in SQL over `alias`. */
  sql(conditions: Conditions, alias: string, param: (v: unknown) => string): string {
    return conditionsSql(
      conditions,
      (field) => {
        const column = this.policy.columns[field];
        if (!column) throw new Error(`${this.subject} policy: no column for condition field ${field}`);
        return columnSql(column, alias);
      },
      param,
      (field) => !!this.policy.arrays?.includes(field),
    );
  }

  /** Every value a field is limited to by the grants (e.g. the missions reached), for choosing an audit chain. */
  values(field: string, options: ScopeOptions = {}): string[] {
    const out = new Set<string>();
    for (const { conditions } of this.rules(options).grants) {
      const v = conditions[field];
      if (v && typeof v === 'object' && '$in' in v) v.$in.forEach((x) => x !== null && out.add(String(x)));
      else if (v !== undefined && v !== null && typeof v !== 'object') out.add(String(v));
    }
    return [...out];
  }

  /** Whether the record is reached (by any grant, or only the named ones) and not restricted. */
  matches(record: Record<string, unknown>, options: ScopeOptions = {}): boolean {
    const { grants, restrictions } = this.rules(options);
    return grants.some((r) => conditionsMatch(r.conditions, record)) && !restrictions.some((r) => conditionsMatch(r.conditions, record));
  }
}
