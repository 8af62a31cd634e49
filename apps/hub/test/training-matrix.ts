import { randomUUID } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TestHub } from '@hub/testing';
import { all, Expect, KEY, MISSION, only, RoleKey, Row, Target } from './matrix-kit';
import { verificationCode } from '@hub/training';

/**
 * Authorization matrix rows of the training routes (spread into authorization-matrix.e2e-spec.ts). Callers belong
 * to MINUSCA; "own" targets a MINUSCA record, "other" the matching UNMISS record. The demo officer, doctor and
 * trainer hold valid certificates; the system administrator holds no trainer certificate (so may not sign off).
 */

/** Readable by every member of the course's mission, and by the system administrator everywhere. */
const members = (own: number): Expect => only([own, 404], { sysadmin: [own, own] });
/** Course managers: the mission's trainers and the system administrator; other roles lack the permission (403). */
const managers = (ok: number): Expect => only([403, 403], { trainer: [ok, 404], sysadmin: [ok, ok] });

let unique = 0;
const next = () => `${Date.now().toString(36)}${(unique++).toString(36)}`;

const q = (hub: TestHub, sql: string, params: unknown[] = []) => hub.db.dataSource.query(sql, params);

/** A published certification course of the target mission with one lesson, a one-question quiz and one skill. */
async function freshCourse(hub: TestHub, t: Target) {
  const [c] = await q(hub, `INSERT INTO training_courses (mission_id, title, language, version, status, certification_kind) VALUES ($1, $2, 'en', 1, 'published', 'telemedicine_user') RETURNING id`, [hub.ids.missions[MISSION[t]], `Matrix course ${next()}`]);
  const [l] = await q(hub, `INSERT INTO training_lessons (course_id, position, title, body) VALUES ($1, 0, 'Lesson', 'Text') RETURNING id`, [c.id]);
  const questions = [{ id: randomUUID(), type: 'true_false', text: 'Q', explanation: 'E', options: [{ id: randomUUID(), text: 'True', correct: true }, { id: randomUUID(), text: 'False', correct: false }] }];
  await q(hub, `INSERT INTO training_quizzes (course_id, pass_mark, questions) VALUES ($1, 100, $2)`, [c.id, JSON.stringify(questions)]);
  const [i] = await q(hub, `INSERT INTO training_checklist_items (course_id, position, title) VALUES ($1, 0, 'Skill') RETURNING id`, [c.id]);
  return { id: c.id as string, lessonId: l.id as string, itemId: i.id as string, questionId: questions[0].id, optionId: questions[0].options[0].id };
}


/** An attempt on a fresh course by the target mission's officer. */
async function officerAttempt(hub: TestHub, t: Target) {
  const c = await freshCourse(hub, t);
  const [a] = await q(
    hub,
    `INSERT INTO training_attempts (user_id, course_id, course_version, attempt_number, pass_mark, layout, started_at) VALUES ($1, $2, 1, 1, 100, $3, now()) RETURNING id`,
    [hub.ids.users[`officer@${KEY[t]}.demo`], c.id, JSON.stringify([{ questionId: c.questionId, optionIds: [c.optionId] }])],
  );
  return { ...c, attemptId: a.id as string };
}

async function freshMember(hub: TestHub, t: Target): Promise<string> {
  const [u] = await q(hub, `INSERT INTO users (email, display_name, password_hash) VALUES ($1, 'Matrix learner', 'x') RETURNING id`, [`learner-${next()}@${KEY[t]}.demo`]);
  await q(hub, `INSERT INTO memberships (user_id, role, mission_id) VALUES ($1, 'trainer', $2)`, [u.id, hub.ids.missions[MISSION[t]]]);
  return u.id;
}

async function freshCertificate(hub: TestHub, userId: string): Promise<{ id: string; code: string }> {
  const code = verificationCode();
  const [c] = await q(
    hub,
    `INSERT INTO training_certificates (user_id, course_id, course_version, course_title, kind, code, issued_at, expires_at)
     SELECT $1, id, 1, title, 'trainer', $2, now() - interval '1 day', now() + interval '700 days' FROM training_courses WHERE certification_kind = 'trainer' LIMIT 1 RETURNING id, code`,
    [userId, code],
  );
  return c;
}

const seededCohort = async (hub: TestHub, t: Target) => (await q(hub, `SELECT id FROM training_cohorts WHERE mission_id = $1 LIMIT 1`, [hub.ids.missions[MISSION[t]]]))[0].id;
const officerCertificate = async (hub: TestHub, t: Target) =>
  (await q(hub, `SELECT id FROM training_certificates WHERE user_id = $1 LIMIT 1`, [hub.ids.users[`officer@${KEY[t]}.demo`]]))[0].id;

async function freshResource(hub: TestHub, t: Target): Promise<string> {
  const [r] = await q(hub, `INSERT INTO training_resources (mission_id, kind, title, body, language) VALUES ($1, 'guide', 'Matrix guide', 'Body', 'en') RETURNING id`, [hub.ids.missions[MISSION[t]]]);
  return r.id;
}

const ROWS: Record<string, Row> = {
  'GET /api/training/me': { build: () => ({ path: '/api/training/me' }), anon: 401, expect: all(200) },
  'GET /api/training/courses': { build: () => ({ path: '/api/training/courses' }), anon: 401, expect: all(200) },
  'POST /api/training/courses': {
    build: (hub, t) => ({ path: '/api/training/courses', body: { missionId: hub.ids.missions[MISSION[t]], title: 'New course', description: '', language: 'en', targetRoles: [], estimatedMinutes: 30 } }),
    anon: 401,
    expect: managers(201),
  },
  'GET /api/training/courses/:id': { build: async (hub, t) => ({ path: `/api/training/courses/${(await freshCourse(hub, t)).id}` }), anon: 401, expect: members(200) },
  'PATCH /api/training/courses/:id': {
    build: async (hub, t) => ({ path: `/api/training/courses/${(await freshCourse(hub, t)).id}`, body: { estimatedMinutes: 45 } }),
    anon: 401,
    expect: managers(200),
  },
  'POST /api/training/courses/:id/publish': { build: async (hub, t) => ({ path: `/api/training/courses/${(await freshCourse(hub, t)).id}/publish` }), anon: 401, expect: managers(200) },
  'POST /api/training/courses/:id/lessons': {
    build: async (hub, t) => ({ path: `/api/training/courses/${(await freshCourse(hub, t)).id}/lessons`, body: { title: 'More', body: 'Text' } }),
    anon: 401,
    expect: managers(201),
  },
  'PATCH /api/training/courses/:id/lessons/:lessonId': {
    build: async (hub, t) => {
      const c = await freshCourse(hub, t);
      return { path: `/api/training/courses/${c.id}/lessons/${c.lessonId}`, body: { title: 'Renamed' } };
    },
    anon: 401,
    expect: managers(200),
  },
  'DELETE /api/training/courses/:id/lessons/:lessonId': {
    build: async (hub, t) => {
      const c = await freshCourse(hub, t);
      // a published course keeps at least one lesson: give it a second one to remove
      const [l] = await q(hub, `INSERT INTO training_lessons (course_id, position, title, body) VALUES ($1, 1, 'Extra', 'Text') RETURNING id`, [c.id]);
      return { path: `/api/training/courses/${c.id}/lessons/${l.id}` };
    },
    anon: 401,
    expect: managers(204),
  },
  'POST /api/training/courses/:id/lessons/:lessonId/attachments': {
    build: async (hub, t) => {
      const c = await freshCourse(hub, t);
      return { path: `/api/training/courses/${c.id}/lessons/${c.lessonId}/attachments?filename=sop.pdf`, headers: { 'Content-Type': 'application/octet-stream' }, body: Buffer.from('%PDF-1.4 matrix') };
    },
    anon: 401,
    expect: managers(201),
  },
  'GET /api/training/attachments/:attachmentId': {
    build: async (hub, t) => {
      const c = await freshCourse(hub, t);
      const [a] = await q(hub, `INSERT INTO training_attachments (lesson_id, filename, media_type, size, sha256, uploaded_by_id) VALUES ($1, 'a.pdf', 'application/pdf', 8, $2, $3) RETURNING id`, [c.lessonId, '0'.repeat(64), hub.ids.users['trainer@minusca.demo']]);
      mkdirSync(join(hub.config.dataDir, 'training'), { recursive: true });
      writeFileSync(join(hub.config.dataDir, 'training', a.id), '%PDF-1.4');
      return { path: `/api/training/attachments/${a.id}` };
    },
    anon: 401,
    expect: members(200),
  },
  'POST /api/training/courses/:id/lessons/:lessonId/complete': {
    build: async (hub, t) => {
      const c = await freshCourse(hub, t);
      return { path: `/api/training/courses/${c.id}/lessons/${c.lessonId}/complete` };
    },
    anon: 401,
    expect: members(200),
  },
  'GET /api/training/courses/:id/quiz': { build: async (hub, t) => ({ path: `/api/training/courses/${(await freshCourse(hub, t)).id}/quiz` }), anon: 401, expect: managers(200) },
  'PUT /api/training/courses/:id/quiz': {
    build: async (hub, t) => ({
      path: `/api/training/courses/${(await freshCourse(hub, t)).id}/quiz`,
      body: { passMark: 50, questions: [{ type: 'true_false', text: 'Q', explanation: 'E', options: [{ text: 'True', correct: true }, { text: 'False', correct: false }] }] },
    }),
    anon: 401,
    expect: managers(200),
  },
  'PUT /api/training/courses/:id/checklist': {
    build: async (hub, t) => ({ path: `/api/training/courses/${(await freshCourse(hub, t)).id}/checklist`, body: { items: [{ title: 'Test call' }] } }),
    anon: 401,
    expect: managers(200),
  },
  'POST /api/training/courses/:id/attempts': { build: async (hub, t) => ({ path: `/api/training/courses/${(await freshCourse(hub, t)).id}/attempts` }), anon: 401, expect: members(201) },
  'GET /api/training/courses/:id/attempts': { build: async (hub, t) => ({ path: `/api/training/courses/${(await freshCourse(hub, t)).id}/attempts` }), anon: 401, expect: members(200) },
  // learners see only their own attempts: the officer's attempt is 404 for everyone else, other missions included
  'GET /api/training/attempts/:attemptId': {
    build: async (hub, t) => ({ path: `/api/training/attempts/${(await officerAttempt(hub, t)).attemptId}` }),
    anon: 401,
    expect: only([404, 404], { officer: [200, 404] }),
  },
  'POST /api/training/attempts/:attemptId/submit': {
    build: async (hub, t) => {
      const a = await officerAttempt(hub, t);
      return { path: `/api/training/attempts/${a.attemptId}/submit`, body: { answers: [{ questionId: a.questionId, optionIds: [a.optionId] }] } };
    },
    anon: 401,
    expect: only([404, 404], { officer: [200, 404] }),
  },
  // a learner's progress: the learner, and the trainers, managers and administrators of their mission
  'GET /api/training/courses/:id/progress': {
    build: async (hub, t) => ({ path: `/api/training/courses/${(await freshCourse(hub, t)).id}/progress?userId=${hub.ids.users[`officer@${KEY[t]}.demo`]}` }),
    anon: 401,
    expect: only([200, 404], { doctor: [404, 404], sysadmin: [200, 200] }),
  },
  // a certified trainer of the learner's cohort mission; the system administrator holds no trainer certificate
  'POST /api/training/courses/:id/sign-offs': {
    build: async (hub, t) => {
      const c = await freshCourse(hub, t);
      return { path: `/api/training/courses/${c.id}/sign-offs`, body: { userId: hub.ids.users[`newofficer@${KEY[t]}.demo`], itemId: c.itemId, performedOn: new Date().toISOString().slice(0, 10) } };
    },
    anon: 401,
    expect: only([403, 403], { trainer: [201, 404] }),
  },
  'GET /api/training/cohorts': { build: () => ({ path: '/api/training/cohorts' }), anon: 401, expect: only([403, 403], { manager: [200, 200], trainer: [200, 200], admin: [200, 200], sysadmin: [200, 200] }) },
  'POST /api/training/cohorts': {
    build: (hub, t) => ({ path: '/api/training/cohorts', body: { missionId: hub.ids.missions[MISSION[t]], name: `Rotation ${next()}`, memberIds: [hub.ids.users[`newofficer@${KEY[t]}.demo`]], courseIds: [] } }),
    anon: 401,
    expect: managers(201),
  },
  'GET /api/training/cohorts/:id': {
    build: async (hub, t) => ({ path: `/api/training/cohorts/${await seededCohort(hub, t)}` }),
    anon: 401,
    expect: only([403, 403], { manager: [200, 404], trainer: [200, 404], admin: [200, 404], sysadmin: [200, 200] }),
  },
  'PATCH /api/training/cohorts/:id': {
    build: async (hub, t) => ({ path: `/api/training/cohorts/${await seededCohort(hub, t)}`, body: { description: 'Updated' } }),
    anon: 401,
    expect: managers(200),
  },
  'GET /api/training/certificates': { build: () => ({ path: '/api/training/certificates' }), anon: 401, expect: all(200) },
  'GET /api/training/certificates/:id': {
    build: async (hub, t) => ({ path: `/api/training/certificates/${await officerCertificate(hub, t)}` }),
    anon: 401,
    expect: only([200, 404], { doctor: [404, 404], sysadmin: [200, 200] }),
  },
  'GET /api/training/certificates/:id/pdf': {
    build: async (hub, t) => ({ path: `/api/training/certificates/${await officerCertificate(hub, t)}/pdf` }),
    anon: 401,
    expect: only([200, 404], { doctor: [404, 404], sysadmin: [200, 200] }),
  },
  'POST /api/training/certificates/:id/revoke': {
    build: async (hub, t) => ({ path: `/api/training/certificates/${(await freshCertificate(hub, await freshMember(hub, t))).id}/revoke`, body: { reason: 'Matrix' } }),
    anon: 401,
    expect: managers(200),
  },
  'GET /api/certificates/verify/:code': {
    build: async (hub, t) => ({ path: `/api/certificates/verify/${(await freshCertificate(hub, await freshMember(hub, t))).code}` }),
    anon: 200,
    expect: all(200),
  },
  'GET /api/training/waivers': {
    build: (hub, t) => ({ path: `/api/training/waivers?missionId=${hub.ids.missions[MISSION[t]]}` }),
    anon: 401,
    expect: only([403, 403], { manager: [200, 404], admin: [200, 404], sysadmin: [200, 200] }),
  },
  'POST /api/training/waivers': {
    build: async (hub, t) => ({
      path: '/api/training/waivers',
      body: { userId: await freshMember(hub, t), missionId: hub.ids.missions[MISSION[t]], kind: 'trainer', expiresAt: new Date(Date.now() + 10 * 86_400_000).toISOString(), reason: 'Course not yet run in this mission' },
    }),
    anon: 401,
    expect: only([403, 403], { admin: [201, 404], sysadmin: [201, 201] }),
  },
  'POST /api/training/waivers/:id/revoke': {
    build: async (hub, t) => {
      const [w] = await q(
        hub,
        `INSERT INTO training_waivers (user_id, mission_id, kind, reason, starts_at, expires_at, granted_by_id) VALUES ($1, $2, 'trainer', 'r', now(), now() + interval '5 days', $3) RETURNING id`,
        [await freshMember(hub, t), hub.ids.missions[MISSION[t]], hub.ids.users['sysadmin@hub.demo']],
      );
      return { path: `/api/training/waivers/${w.id}/revoke`, body: { reason: 'Certified now' } };
    },
    anon: 401,
    expect: only([403, 403], { admin: [200, 404], sysadmin: [200, 200] }),
  },
  'GET /api/training/compliance': {
    build: (hub, t) => ({ path: `/api/training/compliance?missionId=${hub.ids.missions[MISSION[t]]}` }),
    anon: 401,
    expect: only([403, 403], { manager: [200, 404], admin: [200, 404], sysadmin: [200, 200] }),
  },
  'GET /api/training/resources': { build: () => ({ path: '/api/training/resources?q=evacuation' }), anon: 401, expect: all(200) },
  'POST /api/training/resources': {
    build: (hub, t) => ({ path: '/api/training/resources', body: { missionId: hub.ids.missions[MISSION[t]], kind: 'sop', title: 'SOP', body: 'Steps', language: 'en' } }),
    anon: 401,
    expect: managers(201),
  },
  'GET /api/training/resources/:id': { build: async (hub, t) => ({ path: `/api/training/resources/${await freshResource(hub, t)}` }), anon: 401, expect: members(200) },
  'PATCH /api/training/resources/:id': {
    build: async (hub, t) => ({ path: `/api/training/resources/${await freshResource(hub, t)}`, body: { tags: ['matrix'] } }),
    anon: 401,
    expect: managers(200),
  },
};


/**
 * The identity rows give the demo doctors extra trainer memberships (DELETE /api/memberships/:id fixtures); the
 * training rows expect the seeded roles, so those extra memberships are removed before each call is built.
 */
async function withSeededRoles(hub: TestHub): Promise<void> {
  await q(hub, `DELETE FROM memberships WHERE role = 'trainer' AND user_id IN (SELECT id FROM users WHERE email IN ('doctor@minusca.demo', 'doctor@unmiss.demo'))`);
}

export const TRAINING_MATRIX: Record<string, Row> = Object.fromEntries(
  Object.entries(ROWS).map(([key, row]) => [key, { ...row, build: async (hub: TestHub, t: Target, role: RoleKey | 'anon') => (await withSeededRoles(hub), row.build(hub, t, role)) }]),
);
