import { Role } from './roles';

export type FacilityLevel = 1 | 2 | 3 | 4;

export interface ErrorBody {
  statusCode: number;
  /** Stable machine-readable code, e.g. VALIDATION_FAILED, INVALID_CREDENTIALS, MFA_REQUIRED, ACCOUNT_LOCKED, NOT_FOUND. */
  code: string;
  message: string;
  errorId: string;
  /**
   * For VALIDATION_FAILED: one entry per offending field, with the rules it broke (`isNotEmpty`, `maxLength`…) so a
   * client can say it in its reader's language; `problems` are the English sentences.
   */
  fields?: { field: string; problems: string[]; rules?: string[] }[];
  /** Values for the client's sentence of this code, e.g. `{ reason: 'case_closed' }` or `{ until }`. */
  params?: Record<string, string | number>;
}

export interface LoginRequest {
  email: string;
  password: string;
  /** Six-digit TOTP code, required when the login answered MFA_REQUIRED. */
  totp?: string;
}

export interface TokenPair {
  accessToken: string;
  refreshToken: string;
  /** Access token lifetime in seconds. */
  expiresIn: number;
}

export interface LoginResponse extends TokenPair {
  user: MeResponse;
  /**
   * True when the user must enrol TOTP before doing anything else (administrators). The access token then only
   * allows the /api/auth/mfa/* routes and /api/auth/me.
   */
  mfaEnrolmentRequired: boolean;
}

export interface MembershipView {
  id: string;
  role: Role;
  missionId: string | null;
  missionCode: string | null;
  facilityId: string | null;
  facilityName: string | null;
  /** A rotation's dates: the membership gives rights from startsAt (if set) until endsAt (if set). */
  startsAt?: string | null;
  endsAt?: string | null;
}

export interface MeResponse {
  id: string;
  email: string;
  displayName: string;
  mfaEnabled: boolean;
  memberships: MembershipView[];
  specialties: string[];
  /** The interface language the user chose; null follows the browser. */
  locale: Locale | null;
}

/** Interface languages of the web app, the notifications and the certificates. */
export const LOCALES = ['en', 'fr'] as const;
export type Locale = (typeof LOCALES)[number];

export interface UpdateMeRequest {
  /** null goes back to the browser's language. */
  locale: Locale | null;
}

export interface MfaSetupResponse {
  secret: string;
  otpauthUrl: string;
}

export interface MissionView {
  id: string;
  code: string;
  name: string;
  mfaRequiredForAll: boolean;
  active: boolean;
  /** IANA zone of the mission area (times are stored in UTC and shown in it). */
  timeZone: string;
  /** Staff may book mental-health sessions for themselves. */
  staffSelfBooking: boolean;
  /** How long a break-the-glass grant lasts in this mission (minutes). */
  breakGlassMinutes?: number;
  /** Hours without contact after which a field node of the mission is reported silent (null: the hub's default). */
  fieldNodeSilentHours: number | null;
  /** Days a consultation recording stays on its case before the retention sweep deletes it. */
  recordingRetentionDays: number;
}

export interface FacilityView {
  id: string;
  name: string;
  level: FacilityLevel;
  /** Missions this facility belongs to or serves (a Level 4 reference hospital may serve several). */
  missionIds: string[];
  active: boolean;
  /** IANA zone of the facility when it differs from its mission's (null: the mission's). */
  timeZone?: string | null;
}

export interface UserView {
  id: string;
  email: string;
  displayName: string;
  active: boolean;
  mfaEnabled: boolean;
  specialties: string[];
  memberships: MembershipView[];
}

export interface Page<T> {
  items: T[];
  total: number;
}
