import { EntityManager } from 'typeorm';
import { MEMBERSHIP_MISSIONS_SQL } from '@hub/identity';

/** The missions a user's memberships reach now (the same rule as the principal's). */
export async function learnerMissions(m: EntityManager, userId: string): Promise<string[]> {
  const rows: { mission_ids: string[] }[] = await m.query(
    `SELECT ${MEMBERSHIP_MISSIONS_SQL} AS mission_ids FROM memberships m WHERE m.user_id = $1`,
    [userId],
  );
  return [...new Set(rows.flatMap((r) => r.mission_ids))];
}

/** Missions of the cohorts a user belongs to. */
export async function cohortMissions(m: EntityManager, userId: string): Promise<string[]> {
  const rows: { mission_id: string }[] = await m.query(
    `SELECT DISTINCT c.mission_id FROM training_cohort_members cm JOIN training_cohorts c ON c.id = cm.cohort_id WHERE cm.user_id = $1`,
    [userId],
  );
  return rows.map((r) => r.mission_id);
}

export async function displayNames(m: EntityManager, ids: string[]): Promise<Map<string, string>> {
  if (!ids.length) return new Map();
  const rows: { id: string; display_name: string }[] = await m.query(`SELECT id, display_name FROM users WHERE id = ANY($1::uuid[])`, [[...new Set(ids)]]);
  return new Map(rows.map((r) => [r.id, r.display_name]));
}
