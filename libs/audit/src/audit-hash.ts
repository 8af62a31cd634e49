import { createHash } from 'node:crypto';

export const GENESIS_HASH = '0'.repeat(64);

export interface HashedFields {
  chain: string;
  missionId: string | null;
  actorId: string | null;
  action: string;
  subjectType: string | null;
  subjectId: string | null;
  outcome: string;
  requestId: string | null;
  ip: string | null;
  details: Record<string, unknown>;
  occurredAt: Date;
}

/** Deterministic JSON: keys sorted at every depth, so jsonb's reordering does not change the hash. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value ?? null);
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const entries = Object.keys(value as object)
    .sort()
    .filter((k) => (value as Record<string, unknown>)[k] !== undefined)
    .map((k) => `${JSON.stringify(k)}:${canonicalJson((value as Record<string, unknown>)[k])}`);
  return `{${entries.join(',')}}`;
}

export function auditHash(prevHash: string, e: HashedFields): string {
  const payload = canonicalJson({
    chain: e.chain,
    missionId: e.missionId,
    actorId: e.actorId,
    action: e.action,
    subjectType: e.subjectType,
    subjectId: e.subjectId,
    outcome: e.outcome,
    requestId: e.requestId,
    ip: e.ip,
    details: e.details,
    occurredAt: e.occurredAt.toISOString(),
  });
  return createHash('sha256').update(prevHash).update('\n').update(payload).digest('hex');
}
