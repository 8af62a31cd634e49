/** Stable error codes returned in every error body. Clients switch on these, never on messages. */
export enum ErrorCode {
  ValidationFailed = 'VALIDATION_FAILED',
  InvalidCredentials = 'INVALID_CREDENTIALS',
  MfaRequired = 'MFA_REQUIRED',
  InvalidTotp = 'INVALID_TOTP',
  MfaEnrolmentRequired = 'MFA_ENROLMENT_REQUIRED',
  AccountLocked = 'ACCOUNT_LOCKED',
  AccountDisabled = 'ACCOUNT_DISABLED',
  Unauthenticated = 'UNAUTHENTICATED',
  TokenExpired = 'TOKEN_EXPIRED',
  InvalidRefreshToken = 'INVALID_REFRESH_TOKEN',
  Forbidden = 'FORBIDDEN',
  /** The role allows the action but a required certification is missing or expired (training). */
  CertificationRequired = 'CERTIFICATION_REQUIRED',
  NotFound = 'NOT_FOUND',
  Conflict = 'CONFLICT',
  TooManyRequests = 'TOO_MANY_REQUESTS',
  PayloadTooLarge = 'PAYLOAD_TOO_LARGE',
  Internal = 'INTERNAL_ERROR',
  /** Live consultations cannot run (no mediasoup worker, or MEDIA_ENABLED=false). */
  MediaUnavailable = 'MEDIA_UNAVAILABLE',
  /** Live consultations: a socket sent events faster than its token bucket allows. */
  RateLimited = 'RATE_LIMITED',
  /** Live consultations: an event that needs `join` first. */
  NotJoined = 'NOT_JOINED',
  /** Live consultations: the caller is still in the waiting room (or was declined). */
  NotAdmitted = 'NOT_ADMITTED',
  InvitationExpired = 'INVITATION_EXPIRED',
  SessionEnded = 'SESSION_ENDED',
  /** The hub has no free database connection in time: retry shortly. */
  Busy = 'BUSY',
  /** The Idempotency-Key was already used for a different request (method, path or body). */
  IdempotencyKeyReused = 'IDEMPOTENCY_KEY_REUSED',
  /** A request with this Idempotency-Key is still running; retry after `Retry-After`. */
  IdempotencyKeyInFlight = 'IDEMPOTENCY_KEY_IN_FLIGHT',
  /** The hub is shutting down (graceful restart); nothing of the request was done. */
  ShuttingDown = 'SHUTTING_DOWN',
  /** A disk (file store or database) is full: nothing was stored. */
  StorageFull = 'STORAGE_FULL',
  /** A disk (file store or database) cannot be written (read-only, failing): nothing was stored. */
  StorageUnavailable = 'STORAGE_UNAVAILABLE',
  /** The database cannot be reached at the moment (restarting); nothing was stored. */
  DatabaseUnavailable = 'DATABASE_UNAVAILABLE',
  /** Field-node sync: the node's credential was revoked on the hub. */
  NodeRevoked = 'NODE_REVOKED',
}

const STATUS: Record<ErrorCode, number> = {
  [ErrorCode.ValidationFailed]: 400,
  [ErrorCode.InvalidCredentials]: 401,
  [ErrorCode.MfaRequired]: 401,
  [ErrorCode.InvalidTotp]: 401,
  [ErrorCode.MfaEnrolmentRequired]: 403,
  [ErrorCode.AccountLocked]: 423,
  [ErrorCode.AccountDisabled]: 403,
  [ErrorCode.Unauthenticated]: 401,
  [ErrorCode.TokenExpired]: 401,
  [ErrorCode.InvalidRefreshToken]: 401,
  [ErrorCode.Forbidden]: 403,
  [ErrorCode.CertificationRequired]: 403,
  [ErrorCode.NotFound]: 404,
  [ErrorCode.Conflict]: 409,
  [ErrorCode.TooManyRequests]: 429,
  [ErrorCode.PayloadTooLarge]: 413,
  [ErrorCode.Internal]: 500,
  [ErrorCode.MediaUnavailable]: 503,
  [ErrorCode.RateLimited]: 429,
  [ErrorCode.NotJoined]: 409,
  [ErrorCode.NotAdmitted]: 403,
  [ErrorCode.InvitationExpired]: 410,
  [ErrorCode.SessionEnded]: 409,
  [ErrorCode.Busy]: 503,
  [ErrorCode.IdempotencyKeyReused]: 422,
  [ErrorCode.IdempotencyKeyInFlight]: 409,
  [ErrorCode.ShuttingDown]: 503,
  [ErrorCode.StorageFull]: 507,
  [ErrorCode.StorageUnavailable]: 503,
  [ErrorCode.DatabaseUnavailable]: 503,
  [ErrorCode.NodeRevoked]: 403,
};

export function statusOf(code: ErrorCode): number {
  return STATUS[code];
}
