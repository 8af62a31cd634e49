import { Injectable } from '@nestjs/common';
import { DataSource, In } from 'typeorm';
import { CallerContext, trainingRecordScopeOf, TrainingRule } from '@hub/access';
import { Clock } from '@hub/common';
import { CERTIFICATION_LABELS, CourseSummaryView, MyTrainingStatus, Role, TrainingLanguage } from '@hub/contracts';
import { TrainingCertificationDirectory } from './certification.directory';
import { kindState } from './certification-state';
import { requiredKinds } from './certificates.service';
import { CoursesService } from './courses.service';
import { Certificate, CertificationWaiver } from './entities/certificate.entity';
import { Cohort, CohortCourse, CohortMember } from './entities/cohort.entity';
import { TrainingRepository } from './training.repository';
import { certificateView } from './views';

/** "What do I still need?": the learner's certifications, courses (with progress) and cohorts. */
@Injectable()
export class TrainingStatusService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly courses: CoursesService,
    private readonly directory: TrainingCertificationDirectory,
    private readonly clock: Clock,
    private readonly training: TrainingRepository,
  ) {}

  async mine(caller: CallerContext): Promise<MyTrainingStatus> {
    const userId = caller.principal.userId;
    const m = this.dataSource.manager;
    const now = this.clock.now();
    const [certs, waivers, memberships] = await Promise.all([
      // The caller's own certificates: the `self` rule of their training records.
      this.training.certificates(trainingRecordScopeOf(caller.principal), { userId, only: [TrainingRule.Self] }),
      m.find(CertificationWaiver, { where: { userId } }),
      m.find(CohortMember, { where: { userId } }),
    ]);
    const cohorts = memberships.length ? await m.find(Cohort, { where: { id: In(memberships.map((c) => c.cohortId)) }, order: { createdAt: 'DESC' } }) : [];
    const enrolled = cohorts.length ? await m.find(CohortCourse, { where: { cohortId: In(cohorts.map((c) => c.id)) } }) : [];
    const enrolledIds = new Set(enrolled.map((e) => e.courseId));
    const roles = [...new Set(caller.principal.memberships.map((x) => x.role))] as Role[];
    // My courses: those of my cohorts, those aimed at my roles, and those I started.
    const all = await this.courses.list(caller, {});
    const courses = all.filter(
      (c: CourseSummaryView) => c.status === 'published' && (enrolledIds.has(c.id) || c.myProgress || c.targetRoles.some((r) => roles.includes(r))),
    );
    const required = await Promise.all(
      requiredKinds(roles).map(async (kind) => {
        const st = kindState(certs.filter((c) => c.kind === kind), waivers.filter((w) => w.kind === kind), now);
        const offered = await this.directory.coursesFor(caller.principal, kind);
        return {
          kind,
          label: CERTIFICATION_LABELS[kind],
          state: st.state,
          valid: st.valid,
          expiresAt: st.expiresAt?.toISOString() ?? null,
          certificateId: st.certificateId,
          waiverId: st.waiverId,
          courses: offered.map((c) => ({ id: c.id, title: c.title, language: c.language as TrainingLanguage })),
        };
      }),
    );
    return {
      userId,
      required,
      validKinds: caller.principal.certifications,
      courses,
      certificates: certs.map((c) => certificateView(c, caller.principal.displayName, now)),
      cohorts: cohorts.map((c) => ({ id: c.id, name: c.name })),
    };
  }
}

