import type { Principal } from '../principal';
import { roleRules } from '../policy/role-rules';
import { AccessScope, PolicyRule, SubjectPolicy } from '../policy/subject-policy';

/**
 * Administration of field nodes (register, list, revoke; the mission's bandwidth budget): `admin-of-mission`, the
 * mission administrators of the node's mission (the one mission its facility serves), and `system-admin`, from the
 * role grants (`FieldNode` in ROLE_GRANTS). A node's own calls are authenticated by its credential, not by this.
 */
export const FieldNodePolicy: SubjectPolicy & { subject: 'FieldNode' } = {
  subject: 'FieldNode',
  columns: { id: 'id', missionId: 'mission_id', facilityId: 'facility_id' },
  rules: (p: Principal): PolicyRule[] => roleRules(p, 'FieldNode'),
};

export const fieldNodeScopeOf = (p: Principal): AccessScope<'FieldNode'> => AccessScope.of(FieldNodePolicy, p);
