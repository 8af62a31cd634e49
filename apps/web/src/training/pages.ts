/** The training screens, loaded together on first use (see main.tsx). */
export { MyTrainingPage } from '../pages/MyTrainingPage';
export { CoursePage } from '../pages/CoursePage';
export { QuizPage } from '../pages/QuizPage';
export { MyCertificatesPage } from '../pages/MyCertificatesPage';
export { CourseEditorPage, CoursesManagePage } from '../pages/CourseEditorPage';
export { CohortPage, CohortsPage } from '../pages/CohortsPage';
export { LearnerPage } from '../pages/LearnerPage';
export { WaiversPage } from '../pages/WaiversPage';
export { ResourcePage, ResourcesPage } from '../pages/ResourcesPage';
export { VerifyPage } from '../pages/VerifyPage';
