import { Action } from '../permissions';
import type { Principal } from '../principal';
import { AccessScope, PolicyRule, SubjectPolicy } from '../policy/subject-policy';

export const NotificationRule = {
  /** A user reads and marks read the notifications addressed to them. */
  Recipient: 'recipient',
  /** Restriction: nobody else's, whatever other grants say (a system administrator's "manage all" included). */
  RecipientOnly: 'recipient-only',
} as const;

/** Who may read and mark a notification: its recipient only (CASL record checks and the notifications repository). */
export const NotificationPolicy: SubjectPolicy & { subject: 'Notification' } = {
  subject: 'Notification',
  columns: { id: 'id', userId: 'user_id' },
  rules: (p: Principal): PolicyRule[] => [
    { name: NotificationRule.Recipient, actions: [Action.Read, Action.Update], conditions: { userId: p.userId } },
    { name: NotificationRule.RecipientOnly, restricts: true, actions: [Action.Create, Action.Read, Action.Update, Action.Delete], conditions: { userId: { $ne: p.userId } } },
  ],
};

export const notificationScopeOf = (p: Principal): AccessScope<'Notification'> => AccessScope.of(NotificationPolicy, p);
