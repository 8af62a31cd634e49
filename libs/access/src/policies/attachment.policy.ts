import { Action } from '../permissions';
import type { Principal } from '../principal';
import { derivedRules, parentColumns, parentFieldsOf } from '../policy/derive';
import { AccessScope, PolicyRule, SubjectPolicy } from '../policy/subject-policy';
import { CasePolicy, CaseRule } from './case.policy';

/**
 * Names of the attachment policy's rules. Every rule is derived from the case policy (the attachment record carries
 * its case's condition fields), with the case's restrictions (`sensitive-record`) folded in.
 */
export const AttachmentRule = {
  /** Read (download, thumbnail, list on the case): whoever may read the case. */
  CaseReader: 'case-reader',
  /** Upload to the case: whoever may refer it (clinic side), and the doctor it is assigned to. */
  CaseWriter: 'case-writer',
  /** Resume, ask the offset of or delete an upload: its uploader, while they still read the case. */
  Uploader: 'uploader',
} as const;

const caseOf = (alias: string) => `${alias}_case`;

/**
 * Who may do what on a case's files (tus uploads, downloads, the case's file list). Record checks (CASL) and the
 * attachment queries (`AttachmentsRepository`, through `AccessScope<'Attachment'>`) are built from these rules.
 */
export const AttachmentPolicy: SubjectPolicy & { subject: 'Attachment' } = {
  subject: 'Attachment',
  columns: {
    ...parentColumns(CasePolicy, 'case', caseOf),
    id: 'id',
    caseId: 'case_id',
    uploadedById: 'uploaded_by_id',
  },
  joins: (a) => `JOIN referral_cases ${caseOf(a)} ON ${caseOf(a)}.id = ${a}.case_id`,
  rules(principal: Principal): PolicyRule[] {
    return [
      ...derivedRules(CasePolicy, 'case', principal, { from: Action.Read, name: AttachmentRule.CaseReader, actions: [Action.Read] }),
      ...derivedRules(CasePolicy, 'case', principal, { from: Action.Refer, name: AttachmentRule.CaseWriter, actions: [Action.Create] }),
      ...derivedRules(CasePolicy, 'case', principal, { from: Action.Read, only: [CaseRule.AssignedDoctor], name: AttachmentRule.CaseWriter, actions: [Action.Create] }),
      ...derivedRules(CasePolicy, 'case', principal, {
        from: Action.Read,
        name: AttachmentRule.Uploader,
        actions: [Action.Update, Action.Delete],
        and: { uploadedById: principal.userId },
      }),
    ];
  },
};

/** The caller's reach on attachments, for the attachments repository. */
export const attachmentScopeOf = (principal: Principal): AccessScope<'Attachment'> => AccessScope.of(AttachmentPolicy, principal);

/** An attachment's condition fields (its own and its case's), e.g. for an upload about to be created. */
export function attachmentRecordOf(a: { id?: string | null; caseId: string; uploadedById: string }, c: Record<string, unknown>): Record<string, unknown> {
  return { ...parentFieldsOf(CasePolicy, 'case', c), id: a.id ?? null, caseId: a.caseId, uploadedById: a.uploadedById };
}
