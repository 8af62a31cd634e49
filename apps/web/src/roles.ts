import { MeResponse, Role } from '@hub/contracts';

export const isAdmin = (user: MeResponse) =>
  user.memberships.some((m) => m.role === Role.MissionAdmin || m.role === Role.SystemAdmin);
export const isSystemAdmin = (user: MeResponse) => user.memberships.some((m) => m.role === Role.SystemAdmin);
