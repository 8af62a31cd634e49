import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import type { ProgressSummary } from '@hub/contracts';
import { ChecklistItem, Course, Lesson, Quiz } from './entities/course.entity';

export interface Progress extends ProgressSummary {
  /** Start of the current cycle: items done at or before it (the last certificate's issue) do not count. */
  cycleStart: Date | null;
  lessonIdsDone: string[];
  signedItemIds: string[];
}

/**
 * A learner's progress on a course. Lessons read, a passed attempt and sign-offs count within the current cycle:
 * for a certification course, what came after the learner's last certificate of that course (so a recertification
 * is a full new pass); for other courses, everything. Removed lessons and checklist items no longer count.
 */
@Injectable()
export class ProgressCalculator {
  async of(m: EntityManager, course: Course, userId: string): Promise<Progress> {
    const [cycle]: { issued_at: Date }[] = course.certificationKind
      ? await m.query(`SELECT max(issued_at) AS issued_at FROM training_certificates WHERE user_id = $1 AND course_id = $2`, [userId, course.id])
      : [];
    const cycleStart = cycle?.issued_at ?? null;
    const since = cycleStart ?? new Date(0);
    const [lessons, items, quiz] = await Promise.all([
      m.find(Lesson, { where: { courseId: course.id }, select: { id: true } }),
      m.find(ChecklistItem, { where: { courseId: course.id, active: true }, select: { id: true } }),
      m.findOne(Quiz, { where: { courseId: course.id }, select: { id: true } }),
    ]);
    const [done, passed, signed, completions]: [{ lesson_id: string }[], { n: number }[], { item_id: string }[], { course_version: number; completed_at: Date }[]] =
      await Promise.all([
        m.query(`SELECT DISTINCT lesson_id FROM training_lesson_completions WHERE user_id = $1 AND course_id = $2 AND completed_at > $3`, [userId, course.id, since]),
        m.query(`SELECT count(*)::int AS n FROM training_attempts WHERE user_id = $1 AND course_id = $2 AND passed AND submitted_at > $3`, [userId, course.id, since]),
        m.query(`SELECT DISTINCT item_id FROM training_sign_offs WHERE user_id = $1 AND course_id = $2 AND created_at > $3`, [userId, course.id, since]),
        m.query(`SELECT course_version, completed_at FROM training_completions WHERE user_id = $1 AND course_id = $2 ORDER BY completed_at DESC`, [userId, course.id]),
      ]);
    const lessonIds = new Set(lessons.map((l) => l.id));
    const itemIds = new Set(items.map((i) => i.id));
    const lessonIdsDone = done.map((d) => d.lesson_id).filter((id) => lessonIds.has(id));
    const signedItemIds = signed.map((s) => s.item_id).filter((id) => itemIds.has(id));
    const quizPassed = passed[0].n > 0;
    const complete = lessonIdsDone.length === lessonIds.size && (!quiz || quizPassed) && signedItemIds.length === itemIds.size;
    return {
      cycleStart,
      lessonIdsDone,
      signedItemIds,
      lessonsDone: lessonIdsDone.length,
      lessonsTotal: lessonIds.size,
      quizPassed,
      quizRequired: !!quiz,
      signOffsDone: signedItemIds.length,
      signOffsTotal: itemIds.size,
      complete,
      completedVersions: completions.map((c) => ({ version: c.course_version, completedAt: new Date(c.completed_at).toISOString() })),
    };
  }
}

export function summary(p: Progress): ProgressSummary {
  const { cycleStart: _c, lessonIdsDone: _l, signedItemIds: _s, ...rest } = p;
  return rest;
}
