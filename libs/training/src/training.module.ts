import { Global, Module } from '@nestjs/common';
import { CERTIFICATION_DIRECTORY } from '@hub/access';
import { NotificationsModule } from '@hub/notifications';
import { CertificatesController } from './certificates.controller';
import { CertificatesService } from './certificates.service';
import { TrainingCertificationDirectory } from './certification.directory';
import { CohortsController, ResourcesController } from './cohorts.controller';
import { CohortsService } from './cohorts.service';
import { CourseAccess } from './course-access';
import { CoursesController } from './courses.controller';
import { CoursesService } from './courses.service';
import { ExpiryWarningsService } from './expiry-warnings.service';
import { LearningController } from './learning.controller';
import { LearningService } from './learning.service';
import { ProgressCalculator } from './progress';
import { ResourcesService } from './resources.service';
import { TrainingStatusService } from './status.service';
import { TrainingRepository } from './training.repository';

/**
 * Training and certification. Global so that the identity module's principal resolver and the access guard find
 * the CERTIFICATION_DIRECTORY (they depend on the interface in @hub/access, not on this module).
 */
@Global()
@Module({
  imports: [NotificationsModule],
  controllers: [CoursesController, LearningController, CertificatesController, CohortsController, ResourcesController],
  providers: [
    TrainingCertificationDirectory,
    { provide: CERTIFICATION_DIRECTORY, useExisting: TrainingCertificationDirectory },
    CourseAccess,
    TrainingRepository,
    ProgressCalculator,
    CoursesService,
    LearningService,
    CertificatesService,
    CohortsService,
    ResourcesService,
    TrainingStatusService,
    ExpiryWarningsService,
  ],
  exports: [CERTIFICATION_DIRECTORY, ExpiryWarningsService, CertificatesService],
})
export class TrainingModule {}
