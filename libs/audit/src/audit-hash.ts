import { createHmac } from 'node:crypto';

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

/**
 * The seal of one record: HMAC-SHA256, keyed with the audit key (outside the database), over the previous seal's
 * hash, the record's place (id, chain, seq) and its content. Without the key nobody can forge or re-link a seal.
 */
export function auditHash(key: Buffer, prevHash: string, e: HashedFields & { id: string; seq: string }): string {
  const payload = canonicalJson({
    id: String(e.id),
    seq: String(e.seq),
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
  return createHmac('sha256', key).update(prevHash).update('\n').update(payload).digest('hex');
}

/** Signature of a checkpoint file's content (HMAC-SHA256 with the audit key over its canonical JSON). */
export function checkpointSignature(key: Buffer, content: unknown): string {
  return createHmac('sha256', key).update('audit-checkpoint\n').update(canonicalJson(content)).digest('hex');
}

/** An audit record's columns as the sealer and the verifier read them with raw SQL (snake_case). */
export interface AuditEntryRow {
  id: string;
  chain: string;
  mission_id: string | null;
  actor_id: string | null;
  action: string;
  subject_type: string | null;
  subject_id: string | null;
  outcome: string;
  request_id: string | null;
  ip: string | null;
  details: Record<string, unknown>;
  occurred_at: Date;
}
