import { EntityManager } from 'typeorm';
import type { CertificationKind, QuestionType, ResourceKind, TrainingLanguage } from '@hub/contracts';
import { Role } from '@hub/contracts';
import {
  Certificate,
  ChecklistItem,
  Cohort,
  CohortCourse,
  CohortMember,
  Course,
  CourseCompletion,
  Lesson,
  LessonCompletion,
  Quiz,
  QuizAttempt,
  Resource,
  SignOff,
  toStoredQuestions,
  verificationCode,
} from '@hub/training';

const DAY = 86_400_000;

interface CourseSpec {
  title: string;
  description: string;
  language: TrainingLanguage;
  targetRoles: Role[];
  kind: CertificationKind;
  lessons: { title: string; body: string; minutes: number }[];
  questions: { type: QuestionType; text: string; explanation: string; options: [string, boolean][] }[];
  checklist: string[];
}

const TF = (t: boolean): [string, boolean][] => [['True', t], ['False', !t]];
const VF = (t: boolean): [string, boolean][] => [['Vrai', t], ['Faux', !t]];

export const USER_COURSE_EN: CourseSpec = {
  title: 'Telemedicine user',
  description: 'For field medical officers at Level 1 clinics: opening a teleconsultation case, good photos and ECGs, live consultations on a weak link, and reporting the outcome.',
  language: 'en',
  targetRoles: [Role.FieldMedicalOfficer],
  kind: 'telemedicine_user',
  lessons: [
    {
      title: 'When and how to open a case',
      minutes: 10,
      body: `## When to ask\n\nOpen a teleconsultation case when a specialist's opinion changes what you do **now**: diagnosis, treatment, or whether to evacuate.\n\n## What a good case holds\n\n1. Consent of the patient (or the reason it could not be given)\n2. Vital signs, history, examination and your working diagnosis\n3. **One clear question** the specialist can answer\n4. The right urgency: *emergency* (answer within 1 h), *urgent* (24 h), *routine* (72 h)\n\n> Emergencies still follow the 10-1-2 timeline: do not wait for an answer to control bleeding or to start resuscitation.`,
    },
    {
      title: 'Photos, ECGs and X-rays that a specialist can read',
      minutes: 10,
      body: `## Skin photos\n\n- Daylight or a bright white light, no flash glare\n- One overview, one close-up with a ruler or coin for scale\n- Focus on the lesion, plain background\n\n## 12-lead ECG\n\nPhotograph or scan the **whole** strip flat, with the calibration pulse and the patient's speed (25 mm/s) visible. PDFs from the ECG machine are best.\n\nFiles are uploaded in pieces and resume when the link comes back.`,
    },
    {
      title: 'Live consultations on a weak link',
      minutes: 8,
      body: `## Before the call\n\nTest the call with the reference hospital once during training. Close other applications using the link.\n\n## During the call\n\nThe hub lowers video quality, then switches to audio only, then to chat when the link degrades. Keep talking: the specialist still hears you. **Write down** the advice in the case afterwards.`,
    },
    {
      title: 'After the answer: outcome report',
      minutes: 5,
      body: `Report what happened to the patient: treated locally, transferred, MEDEVAC or CASEVAC. The outcome closes the loop for the specialist and tells the mission which evacuations were avoided.`,
    },
  ],
  questions: [
    { type: 'single', text: 'A soldier has a spreading rash and no danger signs. Which urgency fits?', explanation: 'Without danger signs a rash is routine or urgent; emergency is for answers needed within the hour.', options: [['Emergency', false], ['Urgent', true], ['None: do not open a case', false]] },
    { type: 'multiple', text: 'Which make a skin photo useful to a dermatologist?', explanation: 'Scale and even light matter; a flash creates glare that hides the lesion.', options: [['A ruler or coin for scale', true], ['Bright even light', true], ['The camera flash at close range', false], ['An overview and a close-up', true]] },
    { type: 'true_false', text: 'You should wait for the specialist before controlling major bleeding.', explanation: 'Never: the 10-1-2 timeline starts with bleeding control within 10 minutes.', options: TF(false) },
    { type: 'single', text: 'The video freezes during a live consultation. What does the hub do?', explanation: 'The call degrades to audio, then chat, instead of dropping.', options: [['Ends the call', false], ['Lowers quality, then continues with audio or chat', true], ['Asks you to call by phone', false]] },
    { type: 'true_false', text: 'The outcome report is needed even when the patient was treated locally.', explanation: 'Every outcome counts, including evacuations avoided.', options: TF(true) },
  ],
  checklist: ['Ran a test call with a reference hospital', 'Took a diagnostic-quality skin photo', 'Recorded and sent a 12-lead ECG'],
};

export const USER_COURSE_FR: CourseSpec = {
  title: 'Utilisateur de télémédecine',
  description: "Pour les médecins des cliniques de niveau 1 : ouvrir une demande de téléconsultation, photos et ECG de qualité, consultation en direct sur une liaison faible, compte rendu de l'issue.",
  language: 'fr',
  targetRoles: [Role.FieldMedicalOfficer],
  kind: 'telemedicine_user',
  lessons: [
    {
      title: 'Quand et comment ouvrir une demande',
      minutes: 10,
      body: `## Quand demander\n\nOuvrez une demande quand l'avis d'un spécialiste change ce que vous faites **maintenant** : diagnostic, traitement ou évacuation.\n\n## Une bonne demande contient\n\n1. Le consentement du patient\n2. Les constantes, l'anamnèse, l'examen et votre hypothèse\n3. **Une question claire**\n4. La bonne urgence : *urgence vitale* (1 h), *urgent* (24 h), *routine* (72 h)`,
    },
    {
      title: 'Photos, ECG et radiographies lisibles',
      minutes: 10,
      body: `## Photos de peau\n\n- Lumière du jour, pas de flash\n- Une vue d'ensemble et un gros plan avec une règle\n\n## ECG 12 dérivations\n\nPhotographiez le tracé **entier**, à plat, avec l'étalonnage visible.`,
    },
    {
      title: 'Consultation en direct sur une liaison faible',
      minutes: 8,
      body: `Le hub réduit la qualité vidéo, puis passe à l'audio seul, puis au texte quand la liaison se dégrade. **Notez** les conseils dans la demande ensuite.`,
    },
  ],
  questions: [
    { type: 'single', text: "Un soldat présente une éruption sans signe de gravité. Quelle urgence ?", explanation: "Sans signe de gravité, l'urgence vitale ne se justifie pas.", options: [['Urgence vitale', false], ['Urgent', true], ['Aucune demande', false]] },
    { type: 'multiple', text: "Qu'est-ce qui rend une photo de peau utile ?", explanation: "L'échelle et une lumière homogène ; le flash crée des reflets.", options: [['Une règle pour l’échelle', true], ['Une lumière homogène', true], ['Le flash de près', false]] },
    { type: 'true_false', text: "Il faut attendre le spécialiste avant de contrôler une hémorragie.", explanation: 'Jamais : le contrôle du saignement se fait dans les 10 minutes.', options: VF(false) },
    { type: 'true_false', text: "Le compte rendu d'issue est utile même si le patient a été traité sur place.", explanation: 'Chaque issue compte.', options: VF(true) },
  ],
  checklist: ['Appel test avec un hôpital de référence', 'Photo de peau de qualité diagnostique', 'ECG 12 dérivations enregistré et envoyé'],
};

export const CONSULTANT_COURSE: CourseSpec = {
  title: 'Telemedicine consultant',
  description: 'For reference doctors and specialists: the queue, accepting and answering cases, asking for information, live consultations, evacuation advice.',
  language: 'en',
  targetRoles: [Role.ReferenceDoctor],
  kind: 'telemedicine_consultant',
  lessons: [
    { title: 'Your queue and the answer deadlines', minutes: 8, body: `Cases reach you by specialty and by the missions your hospital serves. Accept a case before you work on it, so nobody else does it twice. Past its deadline a case goes to the backup hospitals, then to the health manager.` },
    { title: 'A useful answer', minutes: 8, body: `Answer the question asked, say what to do now, what to watch for, and **whether to evacuate** (MEDEVAC/CASEVAC, priority, level of destination).` },
  ],
  questions: [
    { type: 'true_false', text: 'Accept a case before working on it.', explanation: 'Accepting shows colleagues that the case is taken.', options: TF(true) },
    { type: 'single', text: 'What happens to an urgent case nobody accepts within 24 h?', explanation: 'It escalates to the backup (Level 4) hospitals.', options: [['It is closed', false], ['It escalates to backup hospitals', true], ['Nothing', false]] },
  ],
  checklist: ['Answered a practice case within its deadline', 'Ran a live consultation with a Level 1 clinic'],
};

export const TRAINER_COURSE: CourseSpec = {
  title: 'Trainer',
  description: 'Train the trainer: running courses and cohorts, practical sign-off, certificates and their renewal.',
  language: 'en',
  targetRoles: [Role.Trainer],
  kind: 'trainer',
  lessons: [
    { title: 'Cohorts and courses', minutes: 10, body: `Enrol each incoming rotation as a cohort. Follow its progress and sign off skills you **saw** the learner perform.` },
    { title: 'Certificates', minutes: 5, body: `Certificates are issued automatically. Revoke one, with a reason, when a holder no longer meets the standard.` },
  ],
  questions: [{ type: 'true_false', text: 'You may sign off a skill you did not see performed.', explanation: 'Sign off only what you observed.', options: TF(false) }],
  checklist: ['Ran a supervised training session'],
};

const RESOURCES: { kind: ResourceKind; title: string; summary: string; body: string; language: TrainingLanguage; tags: string[]; mission?: boolean }[] = [
  { kind: 'quick_reference', language: 'en', title: 'Urgency tiers at a glance', tags: ['urgency', 'sla'], summary: 'Emergency 1 h, urgent 24 h, routine 72 h.', body: 'Emergency: an answer is needed within one hour (life, limb or evacuation decision). Urgent: within 24 hours. Routine: within 72 hours. The mission may configure other delays.' },
  { kind: 'sop', language: 'en', title: 'SOP: requesting a MEDEVAC after a teleconsultation', tags: ['medevac', 'evacuation'], summary: 'From the specialist’s advice to the evacuation request.', body: 'When the specialist recommends evacuation, record the advice in the case, inform the chief medical officer, and raise the MEDEVAC or CASEVAC request with the priority given. Report the outcome once the patient has been evacuated.' },
  { kind: 'guide', language: 'en', title: 'Taking diagnostic-quality skin photographs', tags: ['dermatology', 'photo'], summary: 'Light, scale, focus.', body: 'Use daylight or a bright white light without flash. Take an overview and a close-up with a ruler for scale. Keep the lesion in focus on a plain background.' },
  { kind: 'guide', language: 'en', title: 'Recording a 12-lead ECG for remote reading', tags: ['ecg', 'cardiology'], summary: 'Whole strip, calibration visible.', body: 'Lay the strip flat and photograph or scan all twelve leads with the calibration pulse visible. Send the PDF from the machine when available.' },
  { kind: 'quick_reference', language: 'fr', title: "Niveaux d'urgence en bref", tags: ['urgence', 'sla'], summary: 'Urgence vitale 1 h, urgent 24 h, routine 72 h.', body: "Urgence vitale : réponse dans l'heure (pronostic vital, membre, décision d'évacuation). Urgent : dans les 24 heures. Routine : dans les 72 heures." },
  { kind: 'sop', language: 'fr', title: 'PON : demander une évacuation sanitaire après une téléconsultation', tags: ['medevac', 'évacuation'], summary: "De l'avis du spécialiste à la demande d'évacuation.", body: "Quand le spécialiste recommande une évacuation, notez l'avis dans la demande, informez le médecin-chef et transmettez la demande d'évacuation sanitaire avec la priorité indiquée." },
  { kind: 'guide', language: 'en', title: 'MINUSCA: reference hospitals and contacts', tags: ['contacts'], summary: 'Who answers which specialty for the mission.', body: 'Bangui Level 2 Hospital answers general medicine, surgery and dermatology. The Nairobi Level 4 reference hospital is the backup for dermatology, cardiology and radiology.', mission: true },
];

export interface TrainingSeedUsers {
  missions: { id: string; code: string; key: string }[];
  /** email -> user id */
  users: Record<string, string>;
  sysadminId: string;
}

async function addCourse(m: EntityManager, spec: CourseSpec, missionId: string | null, createdById: string, publishedAt: Date) {
  const course = await m.save(
    m.create(Course, {
      missionId,
      title: spec.title,
      description: spec.description,
      language: spec.language,
      targetRoles: spec.targetRoles,
      estimatedMinutes: spec.lessons.reduce((s, l) => s + l.minutes, 0) + 15,
      version: 1,
      status: 'published',
      certificationKind: spec.kind,
      validityDays: 730,
      publishedAt,
      createdById,
    }),
  );
  const lessons = await m.save(spec.lessons.map((l, position) => m.create(Lesson, { courseId: course.id, position, title: l.title, body: l.body, estimatedMinutes: l.minutes })));
  const quiz = await m.save(
    m.create(Quiz, {
      courseId: course.id,
      passMark: 80,
      maxAttempts: 5,
      cooldownMinutes: 0,
      questions: toStoredQuestions({ passMark: 80, questions: spec.questions.map((q) => ({ ...q, options: q.options.map(([text, correct]) => ({ text, correct })) })) }),
    }),
  );
  const items = await m.save(spec.checklist.map((title, position) => m.create(ChecklistItem, { courseId: course.id, position, title, description: '', active: true })));
  return { course, lessons, quiz, items };
}

/** Records a learner's full pass of a course (lessons, a passed attempt, sign-offs) and the certificate it earned. */
async function certify(
  m: EntityManager,
  c: Awaited<ReturnType<typeof addCourse>>,
  userId: string,
  trainerId: string,
  missionId: string,
  issuedAt: Date,
) {
  const before = (days: number) => new Date(issuedAt.getTime() - days * DAY);
  await m.save(c.lessons.map((l) => m.create(LessonCompletion, { userId, courseId: c.course.id, lessonId: l.id, courseVersion: 1, completedAt: before(3) })));
  const layout = c.quiz.questions.map((q) => ({ questionId: q.id, optionIds: q.options.map((o) => o.id) }));
  const answers = c.quiz.questions.map((q) => ({ questionId: q.id, optionIds: q.options.filter((o) => o.correct).map((o) => o.id) }));
  await m.save(m.create(QuizAttempt, { userId, courseId: c.course.id, courseVersion: 1, attemptNumber: 1, passMark: c.quiz.passMark, layout, answers, startedAt: before(2), submittedAt: before(2), score: 100, passed: true }));
  await m.save(
    c.items.map((i) =>
      m.create(SignOff, { userId, courseId: c.course.id, itemId: i.id, trainerId, missionId, performedOn: before(1).toISOString().slice(0, 10), note: 'Seeded: observed during initial training', createdAt: before(1) }),
    ),
  );
  await m.save(m.create(CourseCompletion, { userId, courseId: c.course.id, courseVersion: 1, completedAt: issuedAt }));
  await m.save(
    m.create(Certificate, {
      userId,
      courseId: c.course.id,
      courseVersion: 1,
      courseTitle: c.course.title,
      kind: c.course.certificationKind!,
      code: verificationCode(),
      issuedAt,
      expiresAt: new Date(issuedAt.getTime() + c.course.validityDays * DAY),
      revokedAt: null,
      revokedById: null,
      revocationReason: null,
      expiryWarnedAt: null,
    }),
  );
}

/**
 * Training demo data: per mission an English and a French "Telemedicine user" course; global "Telemedicine
 * consultant" and "Trainer" courses (managed by system administrators); certificates for the demo officers, doctors
 * and trainers earned through those courses 60 days ago; a cohort per mission holding the uncertified
 * newofficer@<mission>.demo; resource-centre documents in both languages.
 */
export async function seedTraining(m: EntityManager, s: TrainingSeedUsers): Promise<void> {
  const now = Date.now();
  const issuedAt = new Date(now - 60 * DAY);
  const publishedAt = new Date(now - 90 * DAY);
  const consultant = await addCourse(m, CONSULTANT_COURSE, null, s.sysadminId, publishedAt);
  const trainer = await addCourse(m, TRAINER_COURSE, null, s.sysadminId, publishedAt);
  for (const mission of s.missions) {
    const trainerId = s.users[`trainer@${mission.key}.demo`];
    const en = await addCourse(m, USER_COURSE_EN, mission.id, trainerId, publishedAt);
    const fr = await addCourse(m, USER_COURSE_FR, mission.id, trainerId, publishedAt);
    // The trainer was certified by the system administrator (train the trainer), then certified the others.
    await certify(m, trainer, trainerId, s.sysadminId, mission.id, new Date(issuedAt.getTime() - 7 * DAY));
    await certify(m, en, s.users[`officer@${mission.key}.demo`], trainerId, mission.id, issuedAt);
    await certify(m, consultant, s.users[`doctor@${mission.key}.demo`], trainerId, mission.id, issuedAt);
    const cohort = await m.save(
      m.create(Cohort, {
        missionId: mission.id,
        name: `${mission.code} incoming rotation 2026-1`,
        description: 'Medical staff of the contingents rotating in this quarter',
        startsOn: new Date(now - 7 * DAY).toISOString().slice(0, 10),
        endsOn: new Date(now + 60 * DAY).toISOString().slice(0, 10),
        createdById: trainerId,
      }),
    );
    await m.insert(CohortMember, [s.users[`newofficer@${mission.key}.demo`], s.users[`officer@${mission.key}.demo`]].map((userId) => ({ cohortId: cohort.id, userId })));
    await m.insert(CohortCourse, [en.course.id, fr.course.id].map((courseId) => ({ cohortId: cohort.id, courseId })));
  }
  const minusca = s.missions.find((x) => x.code === 'MINUSCA') ?? s.missions[0];
  await certify(m, consultant, s.users['specialist@l4.demo'], s.users[`trainer@${minusca.key}.demo`], minusca.id, issuedAt);
  if (s.users['psychologist@l4.demo']) await certify(m, consultant, s.users['psychologist@l4.demo'], s.users[`trainer@${minusca.key}.demo`], minusca.id, issuedAt);
  for (const r of RESOURCES) {
    const { mission, ...fields } = r;
    await m.save(m.create(Resource, { ...fields, missionId: mission ? minusca.id : null, updatedById: s.sysadminId }));
  }
}
