import { EntityManager } from 'typeorm';
import { learnerMissionsSql } from '@hub/access';

/**
 * The missions a user's memberships reach now (the same rule as the principal's): the `missionIds` of the learner's
 * training records, by the very SQL their policy filters lists with.
 */
export async function learnerMissions(m: EntityManager, userId: string): Promise<string[]> {
  const [row]: { mission_ids: string[] }[] = await m.query(`SELECT ${learnerMissionsSql('$1::uuid')} AS mission_ids`, [userId]);
  return row?.mission_ids ?? [];
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
