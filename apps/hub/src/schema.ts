import { AuditEntry } from '@hub/audit';
import { MIGRATIONS } from '@hub/database';
import { Facility, Membership, Mission, RefreshToken, User } from '@hub/identity';

/** Every entity of the hub; migrations must describe exactly these (see the drift test). */
export const ENTITIES = [Mission, Facility, User, Membership, RefreshToken, AuditEntry];

export { MIGRATIONS };
