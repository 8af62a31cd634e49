import { randomInt, randomUUID } from 'node:crypto';
import type { AttemptQuestionResult, AttemptQuestionView, QuizInput } from '@hub/contracts';
import { FieldProblem } from '@hub/common';
import type { StoredQuestion } from './entities/course.entity';
import type { AttemptLayout } from './entities/progress.entity';

/**
 * Checks what class-validator cannot: each question's options and key agree with its type. Returns one problem
 * per offending field (e.g. `questions[2].options`), empty when the quiz is sound.
 */
export function quizProblems(input: QuizInput): FieldProblem[] {
  const problems: FieldProblem[] = [];
  const add = (field: string, problem: string) => problems.push({ field, problems: [problem] });
  if (!input.questions.length) add('questions', 'a quiz needs at least one question');
  input.questions.forEach((q, i) => {
    const field = `questions.${i}.options`;
    const correct = q.options.filter((o) => o.correct).length;
    if (q.type === 'true_false' && q.options.length !== 2) add(field, 'a true/false question has exactly two options');
    else if (q.options.length < 2) add(field, 'a question needs at least two options');
    if (correct === 0) add(field, 'no option is marked correct');
    else if (q.type !== 'multiple' && correct > 1) add(field, `a ${q.type === 'single' ? 'single-choice' : 'true/false'} question has exactly one correct option`);
    const texts = q.options.map((o) => o.text.trim().toLowerCase());
    if (new Set(texts).size !== texts.length) add(field, 'two options have the same text');
  });
  return problems;
}

/** The stored form: ids kept for edited questions and options, new ones for the rest. */
export function toStoredQuestions(input: QuizInput, previous: StoredQuestion[] = []): StoredQuestion[] {
  const known = new Set(previous.flatMap((q) => [q.id, ...q.options.map((o) => o.id)]));
  const keep = (id?: string) => (id && known.has(id) ? id : randomUUID());
  return input.questions.map((q) => ({
    id: keep(q.id),
    type: q.type,
    text: q.text.trim(),
    explanation: q.explanation.trim(),
    options: q.options.map((o) => ({ id: keep(o.id), text: o.text.trim(), correct: o.correct })),
  }));
}

/** Fisher-Yates with a cryptographic source (a learner cannot predict the next order). */
export function shuffled<T>(items: readonly T[]): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = randomInt(i + 1);
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

/** A new order of questions and of each question's options for one attempt. */
export function layoutFor(questions: StoredQuestion[]): AttemptLayout[] {
  return shuffled(questions).map((q) => ({ questionId: q.id, optionIds: shuffled(q.options.map((o) => o.id)) }));
}

/** The questions as the learner sees them before submitting: no key, no explanation. */
export function questionsForLearner(questions: StoredQuestion[], layout: AttemptLayout[]): AttemptQuestionView[] {
  const byId = new Map(questions.map((q) => [q.id, q]));
  return layout.flatMap((l) => {
    const q = byId.get(l.questionId);
    if (!q) return [];
    const options = new Map(q.options.map((o) => [o.id, o]));
    return [{ id: q.id, type: q.type, text: q.text, options: l.optionIds.flatMap((id) => (options.has(id) ? [{ id, text: options.get(id)!.text }] : [])) }];
  });
}

export interface Grade {
  score: number;
  passed: boolean;
  results: AttemptQuestionResult[];
}

/** Grades on the server: a question counts when exactly its correct options were chosen; score in percent. */
export function grade(
  questions: StoredQuestion[],
  layout: AttemptLayout[],
  answers: { questionId: string; optionIds: string[] }[],
  passMark: number,
): Grade {
  const chosen = new Map(answers.map((a) => [a.questionId, new Set(a.optionIds)]));
  const byId = new Map(questions.map((q) => [q.id, q]));
  const results = questionsForLearner(questions, layout).map((view) => {
    const q = byId.get(view.id)!;
    const picked = chosen.get(q.id) ?? new Set<string>();
    const key = q.options.filter((o) => o.correct).map((o) => o.id);
    const correct = picked.size === key.length && key.every((id) => picked.has(id));
    return { ...view, chosenOptionIds: [...picked], correctOptionIds: key, correct, explanation: q.explanation };
  });
  const right = results.filter((r) => r.correct).length;
  const score = results.length ? Math.round((100 * right) / results.length) : 0;
  return { score, passed: score >= passMark, results };
}
