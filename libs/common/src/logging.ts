/**
 * Paths pino redacts from every log line: credentials, tokens and patient fields. Patient field names are listed
 * here once so later modules (cases, patients) are covered as soon as their bodies reach a log.
 */
export const REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'res.headers["set-cookie"]',
  '*.password',
  '*.newPassword',
  '*.passwordHash',
  '*.totp',
  '*.code',
  '*.secret',
  '*.mfaSecret',
  '*.accessToken',
  '*.refreshToken',
  '*.token',
  '*.serviceNumber',
  '*.firstName',
  '*.lastName',
  '*.dateOfBirth',
  '*.allergies',
  '*.diagnosis',
];
