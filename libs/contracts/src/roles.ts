/** Roles a membership can carry. Kept as string values so they read well in the database and in logs. */
export enum Role {
  FieldMedicalOfficer = 'field_medical_officer',
  ReferenceDoctor = 'reference_doctor',
  HealthManager = 'health_manager',
  Trainer = 'trainer',
  MissionAdmin = 'mission_admin',
  SystemAdmin = 'system_admin',
}

export const ALL_ROLES: Role[] = Object.values(Role);

export const ROLE_LABELS: Record<Role, string> = {
  [Role.FieldMedicalOfficer]: 'Field medical officer',
  [Role.ReferenceDoctor]: 'Reference doctor',
  [Role.HealthManager]: 'Mission health manager',
  [Role.Trainer]: 'Trainer',
  [Role.MissionAdmin]: 'Mission administrator',
  [Role.SystemAdmin]: 'System administrator',
};

/** Roles for which TOTP multi-factor authentication is always required. */
export const MFA_REQUIRED_ROLES: Role[] = [Role.MissionAdmin, Role.SystemAdmin];
