import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { UpdateCohortDto, UpdateCourseDto, UpdateLessonDto, UpdateResourceDto } from './training.dto';

/** The update bodies derive from the create ones: every field optional, the same rules, the mission not movable. */
const problems = (cls: new () => object, body: object) =>
  Object.fromEntries(
    validateSync(plainToInstance(cls, body), { whitelist: true, forbidNonWhitelisted: true }).map((e) => [e.property, Object.values(e.constraints ?? {})]),
  );

describe('training update DTOs', () => {
  it('accept an empty or partial body', () => {
    expect(problems(UpdateCourseDto, {})).toEqual({});
    expect(problems(UpdateCourseDto, { title: 'New', certificationKind: null, status: 'archived' })).toEqual({});
    expect(problems(UpdateLessonDto, { position: 2 })).toEqual({});
    expect(problems(UpdateCohortDto, { description: 'x' })).toEqual({});
    expect(problems(UpdateResourceDto, { tags: ['ecg'] })).toEqual({});
  });

  it('apply the create rules and messages to the fields given', () => {
    const course = problems(UpdateCourseDto, { title: '', validityDays: 0, language: 'de', status: 'published' });
    expect(course.title).toContain('title must not be empty');
    expect(course.validityDays).toContain('validityDays must be at least 1');
    expect(course.language).toEqual([expect.stringMatching(/^language must be one of/)]);
    expect(course.status).toEqual([expect.stringMatching(/archived or draft/)]);
    expect(problems(UpdateLessonDto, { position: -1 }).position).toBeDefined();
    expect(problems(UpdateCohortDto, { memberIds: ['nope'] }).memberIds).toContain('memberIds must be UUIDs');
    expect(problems(UpdateResourceDto, { body: '' }).body).toContain('body must not be empty');
  });

  it('do not move a course, cohort or resource to another mission', () => {
    const missionId = '3f1c8a52-6d0e-4a57-9d59-0c1b7a3e9b11';
    for (const cls of [UpdateCourseDto, UpdateCohortDto, UpdateResourceDto]) expect(problems(cls, { missionId })).toHaveProperty('missionId');
  });
});
