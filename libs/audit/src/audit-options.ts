/** The audit key and where the signed checkpoints of the chain heads go (outside the database). */
export interface AuditOptions {
  /** HMAC key of the chains and checkpoints: AUDIT_KEY, or generated once into the data directory. */
  key: Buffer;
  /** File the sealer writes the signed chain heads to (in the data directory); none: no checkpoints. */
  checkpointFile?: string;
  /** Milliseconds between sealing rounds (default 100); 0 = no background sealer (tests seal by hand). */
  sealIntervalMs?: number;
}

export const AUDIT_OPTIONS = Symbol('AUDIT_OPTIONS');

/** Rows one sealing round takes at most; a full round is followed by the next one at once. */
export const SEAL_BATCH = 1000;
