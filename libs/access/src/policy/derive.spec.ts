import { Action } from '../permissions';
import type { Principal } from '../principal';
import { conditionsMatch } from './conditions';
import { derivedRules, parentField } from './derive';
import { PolicyRule, SubjectPolicy } from './subject-policy';

const me = { userId: 'u1' } as Principal;
const parent = (rules: PolicyRule[]): SubjectPolicy => ({ subject: 'Case', columns: { id: 'id', facilityId: 'facility_id', sensitive: 'sensitive', ownerId: 'owner_id', level: 'level' }, rules: () => rules });

/** Whether the parent's rules allow the action on a parent record (grants OR'ed, restrictions AND NOT'ed). */
function parentAllows(rules: PolicyRule[], action: Action, record: Record<string, unknown>): boolean {
  const on = rules.filter((r) => r.actions.includes(action));
  return on.some((r) => !r.restricts && conditionsMatch(r.conditions, record)) && !on.some((r) => r.restricts && conditionsMatch(r.conditions, record));
}

describe('derived rules', () => {
  const rules: PolicyRule[] = [
    { name: 'clinic', actions: [Action.Read], conditions: { facilityId: { $in: ['f1', 'f2'] } } },
    { name: 'owner', actions: [Action.Read], conditions: { ownerId: 'u1' } },
    { name: 'escalated', actions: [Action.Read], conditions: { level: { $gte: 1 }, facilityId: 'f3' } },
    { name: 'secret', restricts: true, actions: [Action.Read], conditions: { sensitive: true, ownerId: { $ne: 'u1' } } },
  ];

  it('fold the restrictions in: a child record is reached exactly when its parent is', () => {
    const derived = derivedRules(parent(rules), 'case', me, { from: Action.Read, name: 'case-reader', actions: [Action.Read] });
    expect(derived.every((r) => r.name === 'case-reader' && !r.restricts)).toBe(true);
    let checked = 0;
    for (const facilityId of ['f1', 'f2', 'f3', 'f4', null])
      for (const sensitive of [true, false, null])
        for (const ownerId of ['u1', 'u2', null])
          for (const level of [0, 1, 2, null]) {
            const record = { id: 'c', facilityId, sensitive, ownerId, level };
            const child = Object.fromEntries(Object.entries(record).map(([k, v]) => [parentField('case', k), v]));
            expect({ record, child: derived.some((r) => conditionsMatch(r.conditions, child)) }).toEqual({ record, child: parentAllows(rules, Action.Read, record) });
            checked++;
          }
    expect(checked).toBe(180);
  });

  it('keep only the named grants, add conditions on the child, drop contradictions', () => {
    const derived = derivedRules(parent(rules), 'case', me, { from: Action.Read, only: ['owner'], name: 'mine', actions: [Action.Update], and: { uploadedById: 'u1' } });
    // owner AND NOT secret = owner AND (not sensitive OR owner is me): the second branch repeats the first's field.
    expect(derived).toEqual([
      { name: 'mine', actions: [Action.Update], conditions: { caseOwnerId: 'u1', caseSensitive: { $ne: true }, uploadedById: 'u1' } },
      { name: 'mine', actions: [Action.Update], conditions: { caseOwnerId: 'u1', uploadedById: 'u1' } },
    ]);
    // a contradiction (the owner rule and "owner is not me") yields no rule
    const none = derivedRules(parent([{ name: 'owner', actions: [Action.Read], conditions: { ownerId: 'u1' } }, { name: 'x', restricts: true, actions: [Action.Read], conditions: { ownerId: 'u1' } }]), 'case', me, {
      from: Action.Read,
      name: 'r',
      actions: [Action.Read],
    });
    expect(none).toEqual([]);
  });

  it('refuse a restriction the condition language cannot negate, rather than drop it', () => {
    const unsupported = [...rules, { name: 'levels', restricts: true, actions: [Action.Read], conditions: { level: { $in: [1, 2] } } } as PolicyRule];
    expect(() => derivedRules(parent(unsupported), 'case', me, { from: Action.Read, name: 'r', actions: [Action.Read] })).toThrow(/levels/);
  });
});
