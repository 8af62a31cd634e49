import { grade, layoutFor, questionsForLearner, quizProblems, toStoredQuestions } from './quiz';

const input = {
  passMark: 50,
  questions: [
    { type: 'single' as const, text: 'Q1', explanation: 'E1', options: [{ text: 'a', correct: true }, { text: 'b', correct: false }, { text: 'c', correct: false }] },
    { type: 'multiple' as const, text: 'Q2', explanation: 'E2', options: [{ text: 'a', correct: true }, { text: 'b', correct: true }, { text: 'c', correct: false }] },
    { type: 'true_false' as const, text: 'Q3', explanation: 'E3', options: [{ text: 'True', correct: false }, { text: 'False', correct: true }] },
  ],
};

describe('quiz', () => {
  it('names the question without a correct option and the true/false question with three options', () => {
    const bad = {
      passMark: 80,
      questions: [
        input.questions[0],
        { ...input.questions[0], options: input.questions[0].options.map((o) => ({ ...o, correct: false })) },
        { ...input.questions[2], options: [...input.questions[2].options, { text: 'Maybe', correct: false }] },
        { ...input.questions[0], options: input.questions[0].options.map((o) => ({ ...o, correct: true })) },
      ],
    };
    expect(quizProblems(input)).toEqual([]);
    expect(quizProblems(bad)).toEqual([
      { field: 'questions.1.options', problems: ['no option is marked correct'] },
      { field: 'questions.2.options', problems: ['a true/false question has exactly two options'] },
      { field: 'questions.3.options', problems: ['a single-choice question has exactly one correct option'] },
    ]);
  });

  it('keeps the ids of edited questions and options', () => {
    const first = toStoredQuestions(input);
    const again = toStoredQuestions({ ...input, questions: input.questions.map((q, i) => ({ ...q, id: first[i].id, options: q.options.map((o, j) => ({ ...o, id: first[i].options[j].id })) })) }, first);
    expect(again.map((q) => q.id)).toEqual(first.map((q) => q.id));
    expect(toStoredQuestions({ ...input, questions: [{ ...input.questions[0], id: 'forged' }] }, first)[0].id).not.toBe('forged');
  });

  it('shuffles per attempt without leaking the key, and grades exact choices', () => {
    const stored = toStoredQuestions(input);
    const orders = new Set(Array.from({ length: 40 }, () => JSON.stringify(layoutFor(stored))));
    expect(orders.size).toBeGreaterThan(1);
    const layout = layoutFor(stored);
    const shown = questionsForLearner(stored, layout);
    expect(JSON.stringify(shown)).not.toMatch(/correct|explanation|E1/);
    const key = stored.map((q) => ({ questionId: q.id, optionIds: q.options.filter((o) => o.correct).map((o) => o.id) }));
    expect(grade(stored, layout, key, 100)).toMatchObject({ score: 100, passed: true });
    // half of the multiple-choice key is wrong; the single-choice answer is right
    const partial = [key[0], { questionId: stored[1].id, optionIds: [stored[1].options[0].id] }];
    const g = grade(stored, layout, partial, 50);
    expect(g).toMatchObject({ score: 33, passed: false });
    expect(g.results.find((r) => r.id === stored[1].id)).toMatchObject({ correct: false, explanation: 'E2' });
  });
});
