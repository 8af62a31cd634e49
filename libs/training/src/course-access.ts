import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { Action, CallerContext, RecordAccess, subjectOf } from '@hub/access';
import { DomainException } from '@hub/common';
import { Course } from './entities/course.entity';

/**
 * Loads a course for a caller. Readers see published courses of their missions and global ones; a course of
 * another mission, or a draft they may not edit, answers 404 like a missing one.
 */
@Injectable()
export class CourseAccess {
  constructor(private readonly access: RecordAccess) {}

  canManage(caller: CallerContext, course: Pick<Course, 'missionId'>): boolean {
    return caller.ability.can(Action.Update, subjectOf('Course', { missionId: course.missionId }));
  }

  async readable(caller: CallerContext, id: string, m: EntityManager): Promise<Course> {
    const course = await m.findOne(Course, { where: { id } });
    await this.access.assert(caller, Action.Read, 'Course', course, { id, missionId: course?.missionId ?? null });
    if (course!.status !== 'published' && !this.canManage(caller, course!)) throw DomainException.notFound('Course');
    return course!;
  }

  async manageable(caller: CallerContext, id: string, m: EntityManager): Promise<Course> {
    const course = await m.findOne(Course, { where: { id } });
    return this.access.assert(caller, Action.Update, 'Course', course, { id, missionId: course?.missionId ?? null });
  }
}
