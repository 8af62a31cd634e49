import type { TestHub } from '@hub/testing';

/**
 * The vocabulary of the authorization matrix (authorization-matrix.e2e-spec.ts and the rows it spreads in from
 * other files): callers belong to MINUSCA; "own" targets a MINUSCA record, "other" the matching UNMISS record.
 */
export type RoleKey = 'officer' | 'doctor' | 'manager' | 'trainer' | 'admin' | 'sysadmin';
export const ROLES: RoleKey[] = ['officer', 'doctor', 'manager', 'trainer', 'admin', 'sysadmin'];
export type Target = 'own' | 'other';
export const MISSION: Record<Target, string> = { own: 'MINUSCA', other: 'UNMISS' };
export const KEY: Record<Target, string> = { own: 'minusca', other: 'unmiss' };
/** [own, other] status per role. */
export type Expect = Record<RoleKey, [number, number]>;

export interface Call {
  path: string;
  /** For routes mounted on every method (tus): the method to use. */
  method?: string;
  headers?: Record<string, string>;
  body?: object;
  /** Use this bearer token instead of the caller's cached one (routes that end sessions). */
  token?: string;
}
export interface Row {
  build: (hub: TestHub, target: Target, role: RoleKey | 'anon') => Promise<Call> | Call;
  anon: number;
  expect: Expect;
}

/** The same [own, other] status for every role. */
export const all = (own: number, other = own): Expect => Object.fromEntries(ROLES.map((r) => [r, [own, other]])) as Expect;
/** `base` for every role but those overridden. */
export const only = (base: [number, number], overrides: Partial<Expect>): Expect => ({ ...all(...base), ...overrides });
