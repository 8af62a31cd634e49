import type { CaseStatus, CaseView } from '@hub/contracts';

/** FHIR R4 resources as plain JSON (validated against the official R4 JSON schema in the tests). */
type Resource = Record<string, unknown> & { resourceType: string; id: string };

const SERVICE_REQUEST_STATUS: Record<CaseStatus, string> = {
  draft: 'draft',
  submitted: 'active',
  accepted: 'active',
  information_requested: 'on-hold',
  resubmitted: 'active',
  answered: 'active',
  closed: 'completed',
  cancelled: 'revoked',
};

const TASK_STATUS: Record<CaseStatus, string> = {
  draft: 'draft',
  submitted: 'requested',
  accepted: 'accepted',
  information_requested: 'on-hold',
  resubmitted: 'in-progress',
  answered: 'completed',
  closed: 'completed',
  cancelled: 'cancelled',
};

const PRIORITY = { emergency: 'stat', urgent: 'urgent', routine: 'routine' } as const;
const GENDER: Record<string, string> = { female: 'female', male: 'male', other: 'other', unknown: 'unknown' };

/**
 * A case as a FHIR R4 Bundle (type collection): the Patient, the referral as a ServiceRequest, the specialist's
 * work as a Task (with the answer as output), the thread as Communications and the files as DocumentReferences.
 */
export function caseToFhirBundle(c: CaseView, baseUrl: string): Record<string, unknown> {
  const patientRef = { reference: `Patient/${c.patient.id}` };
  const requestRef = { reference: `ServiceRequest/${c.id}` };
  const resources: Resource[] = [];

  resources.push({
    resourceType: 'Patient',
    id: c.patient.id,
    identifier: [{ system: 'urn:un:peacekeeping:service-number', value: c.patient.serviceNumber }],
    name: [{ family: c.patient.lastName, given: [c.patient.firstName] }],
    gender: GENDER[c.patient.sex] ?? 'unknown',
    birthDate: c.patient.dateOfBirth,
  });

  const vitals = Object.entries(c.vitals ?? {})
    .map(([k, v]) => `${k} ${v}`)
    .join(', ');
  resources.push({
    resourceType: 'ServiceRequest',
    id: c.id,
    identifier: [{ system: 'urn:un:peacekeeping:teleconsultation', value: c.reference }],
    status: SERVICE_REQUEST_STATUS[c.status],
    intent: 'order',
    priority: PRIORITY[c.urgency],
    category: [{ text: 'Teleconsultation' }],
    code: { text: `Teleconsultation: ${c.specialtyCode.replace(/_/g, ' ')}` },
    subject: patientRef,
    ...(c.submittedAt ? { authoredOn: c.submittedAt } : {}),
    reasonCode: [{ text: c.presentingComplaint }],
    note: [
      { text: `Question: ${c.question}` },
      ...(c.history ? [{ text: `History: ${c.history}` }] : []),
      ...(vitals ? [{ text: `Vital signs: ${vitals}` }] : []),
      ...(c.examination ? [{ text: `Examination: ${c.examination}` }] : []),
      ...(c.workingDiagnosis ? [{ text: `Working diagnosis: ${c.workingDiagnosis}` }] : []),
    ],
  });

  const outputs: Record<string, unknown>[] = [];
  if (c.assessment) outputs.push({ type: { text: 'assessment' }, valueString: c.assessment });
  if (c.recommendation) outputs.push({ type: { text: 'recommendation' }, valueString: c.recommendation });
  if (c.evacuationAdvice) {
    const e = c.evacuationAdvice;
    outputs.push({
      type: { text: 'evacuation advice' },
      valueString: e.type === 'none' ? 'no evacuation' : `${e.type.toUpperCase()}, priority ${e.priority}, to a Level ${e.destinationLevel} facility`,
    });
  }
  if (c.outcome) outputs.push({ type: { text: 'outcome' }, valueString: `${c.outcome.outcome}${c.outcome.evacuationAvoided ? ' (evacuation avoided)' : ''}` });
  resources.push({
    resourceType: 'Task',
    id: `task-${c.id}`,
    status: TASK_STATUS[c.status],
    intent: 'order',
    priority: PRIORITY[c.urgency],
    basedOn: [requestRef],
    focus: requestRef,
    for: patientRef,
    authoredOn: c.createdAt,
    ...(c.assignedDoctorName ? { owner: { display: c.assignedDoctorName } } : {}),
    ...(c.deadlineAt ? { restriction: { period: { end: c.deadlineAt } } } : {}),
    ...(outputs.length ? { output: outputs } : {}),
  });

  for (const m of c.messages) {
    resources.push({
      resourceType: 'Communication',
      id: m.id,
      status: 'completed',
      basedOn: [requestRef],
      subject: patientRef,
      sent: m.createdAt,
      ...(m.authorName ? { sender: { display: m.authorName } } : {}),
      category: [{ text: m.kind.replace(/_/g, ' ') }],
      payload: [
        { contentString: m.body },
        ...m.attachmentIds.map((id) => ({ contentReference: { reference: `DocumentReference/${id}` } })),
      ],
    });
  }

  for (const a of c.attachments) {
    resources.push({
      resourceType: 'DocumentReference',
      id: a.id,
      status: 'current',
      subject: patientRef,
      date: a.createdAt,
      description: a.filename,
      context: { related: [requestRef] },
      content: [
        {
          attachment: {
            contentType: a.mediaType ?? 'application/octet-stream',
            title: a.filename,
            size: a.size,
            url: `${baseUrl}/api/cases/${c.id}/attachments/${a.id}`,
            creation: a.createdAt,
          },
        },
      ],
    });
  }

  return {
    resourceType: 'Bundle',
    id: `case-${c.id}`,
    type: 'collection',
    timestamp: new Date().toISOString(),
    entry: resources.map((r) => ({ fullUrl: `${baseUrl}/fhir/${r.resourceType}/${r.id}`, resource: r })),
  };
}
