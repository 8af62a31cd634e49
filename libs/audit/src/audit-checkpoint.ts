import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { checkpointSignature } from './audit-hash';

/** The sealed head of one chain at the time of a checkpoint. */
export interface ChainHead {
  chain: string;
  seq: string;
  entryId: string;
  hash: string;
}

export interface AuditCheckpoint {
  writtenAt: string;
  heads: ChainHead[];
  /** HMAC-SHA256 with the audit key over { writtenAt, heads }. */
  signature: string;
}

export type CheckpointRead =
  | { state: 'none' }
  | { state: 'invalid'; reason: string }
  | { state: 'ok'; checkpoint: AuditCheckpoint };

/** Reads and authenticates the checkpoint file. */
export function readCheckpoint(file: string | undefined, key: Buffer): CheckpointRead {
  if (!file || !existsSync(file)) return { state: 'none' };
  let parsed: AuditCheckpoint;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8')) as AuditCheckpoint;
  } catch {
    return { state: 'invalid', reason: 'the checkpoint file is not JSON' };
  }
  if (!parsed || !Array.isArray(parsed.heads) || typeof parsed.signature !== 'string') {
    return { state: 'invalid', reason: 'the checkpoint file lacks heads or signature' };
  }
  const expected = checkpointSignature(key, { writtenAt: parsed.writtenAt, heads: parsed.heads });
  if (expected !== parsed.signature) return { state: 'invalid', reason: 'the checkpoint signature does not verify (altered, or another key)' };
  return { state: 'ok', checkpoint: parsed };
}

/** Writes the signed heads atomically (temporary file, then rename), readable by the hub's user only. */
export function writeCheckpoint(file: string, key: Buffer, heads: ChainHead[], now = new Date()): AuditCheckpoint {
  const content = { writtenAt: now.toISOString(), heads };
  const checkpoint: AuditCheckpoint = { ...content, signature: checkpointSignature(key, content) };
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(checkpoint, null, 2), { mode: 0o600 });
  renameSync(tmp, file);
  return checkpoint;
}
