import type { CarePlanView, CaseStatus, CaseView, VitalSignName } from '@hub/contracts';

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

/** The HL7 v3 Confidentiality code "restricted": the security label of a sensitive case's resources. */
export const RESTRICTED = { system: 'http://terminology.hl7.org/CodeSystem/v3-Confidentiality', code: 'R', display: 'restricted' } as const;

const PRIORITY = { emergency: 'stat', urgent: 'urgent', routine: 'routine' } as const;
const GENDER: Record<string, string> = { female: 'female', male: 'male', other: 'other', unknown: 'unknown' };

/**
 * A case as a FHIR R4 Bundle (type collection): the Patient, the referral as a ServiceRequest, the specialist's
 * work as a Task (with the answer as output), the thread as Communications and the files as DocumentReferences.
 */
export function caseToFhirBundle(c: CaseView, baseUrl: string, now: Date = new Date()): Record<string, unknown> {
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

  if (c.plan) resources.push(...planResources(c, c.plan, patientRef, requestRef));

  // A sensitive case (mental health) is labelled restricted, on the Bundle and on every resource, so a receiving
  // system keeps it to the treating clinician and the referring officer too (HL7 v3 Confidentiality `R`).
  const meta = c.sensitive ? { meta: { security: [RESTRICTED] } } : {};
  if (c.sensitive) for (const r of resources) r.meta = { ...((r.meta as object) ?? {}), security: [RESTRICTED] };

  return {
    resourceType: 'Bundle',
    id: `case-${c.id}`,
    ...meta,
    type: 'collection',
    timestamp: now.toISOString(),
    entry: resources.map((r) => ({ fullUrl: `${baseUrl}/fhir/${r.resourceType}/${r.id}`, resource: r })),
  };
}

/** LOINC codes and UCUM units of the vital signs (the FHIR vital-signs profile's). */
const VITAL_CODES: Record<VitalSignName, { loinc: string; display: string; unit: string; ucum: string }> = {
  heartRate: { loinc: '8867-4', display: 'Heart rate', unit: 'beats/min', ucum: '/min' },
  systolicBp: { loinc: '8480-6', display: 'Systolic blood pressure', unit: 'mmHg', ucum: 'mm[Hg]' },
  diastolicBp: { loinc: '8462-4', display: 'Diastolic blood pressure', unit: 'mmHg', ucum: 'mm[Hg]' },
  respiratoryRate: { loinc: '9279-1', display: 'Respiratory rate', unit: 'breaths/min', ucum: '/min' },
  spo2: { loinc: '59408-5', display: 'Oxygen saturation by pulse oximetry', unit: '%', ucum: '%' },
  temperatureC: { loinc: '8310-5', display: 'Body temperature', unit: 'Cel', ucum: 'Cel' },
  gcs: { loinc: '9269-2', display: 'Glasgow coma score total', unit: '{score}', ucum: '{score}' },
};

const ROUTE_TEXT: Record<string, string> = { oral: 'Oral', iv: 'Intravenous', im: 'Intramuscular', sc: 'Subcutaneous', topical: 'Topical', inhaled: 'Inhalation', rectal: 'Rectal', other: 'Other' };

/**
 * The follow-up plan: a CarePlan whose activities are the MedicationRequests and the scheduled checks, and one
 * Observation per recorded measurement, answer or photo (basedOn the CarePlan).
 */
function planResources(c: CaseView, plan: CarePlanView, patientRef: object, requestRef: object): Resource[] {
  const planRef = { reference: `CarePlan/${plan.id}` };
  const finished = c.status === 'cancelled' ? 'revoked' : plan.checks.every((k) => k.state === 'recorded') && c.status === 'closed' ? 'completed' : 'active';
  const out: Resource[] = [];
  const meds = plan.medications.map((m, i) => ({
    resourceType: 'MedicationRequest',
    id: `${plan.id}-med-${i + 1}`,
    status: finished === 'active' ? 'active' : finished === 'revoked' ? 'cancelled' : 'completed',
    intent: 'order',
    medicationCodeableConcept: { text: m.drug },
    subject: patientRef,
    authoredOn: plan.createdAt,
    ...(plan.createdByName ? { requester: { display: plan.createdByName } } : {}),
    basedOn: [planRef],
    dosageInstruction: [
      {
        text: `${m.dose} ${ROUTE_TEXT[m.route] ?? m.route} ${m.frequency} for ${m.durationDays} day(s)`,
        route: { text: ROUTE_TEXT[m.route] ?? m.route },
        timing: { code: { text: m.frequency }, repeat: { boundsDuration: { value: m.durationDays, unit: 'd', system: 'http://unitsofmeasure.org', code: 'd' } } },
      },
    ],
  }));
  out.push({
    resourceType: 'CarePlan',
    id: plan.id,
    status: finished,
    intent: 'plan',
    title: 'Follow-up plan',
    ...(plan.instructions ? { description: plan.instructions } : {}),
    subject: patientRef,
    created: plan.createdAt,
    ...(plan.createdByName ? { author: { display: plan.createdByName } } : {}),
    note: [{ text: `Set with the answer to teleconsultation ${c.reference}` }],
    supportingInfo: [requestRef],
    activity: [
      ...meds.map((m) => ({ reference: { reference: `MedicationRequest/${m.id}` } })),
      ...plan.checks.map((k) => ({
        detail: {
          kind: 'ServiceRequest',
          code: { text: `Day ${k.day} check` },
          status: k.state === 'recorded' ? 'completed' : k.state === 'upcoming' ? 'scheduled' : finished === 'revoked' ? 'cancelled' : 'not-started',
          scheduledPeriod: { start: k.dueAt, end: new Date(Date.parse(k.dueAt) + 24 * 3600 * 1000).toISOString() },
          description: [
            k.vitals.length ? `record ${k.vitals.map((v) => VITAL_CODES[v].display.toLowerCase()).join(', ')}` : '',
            k.photo ? 'a photo' : '',
            k.question ? `answer: ${k.question}` : '',
          ].filter(Boolean).join('; '),
        },
      })),
    ],
  });
  out.push(...meds);
  for (const k of plan.checks.filter((x) => x.recordedAt)) {
    const common = { status: 'final', subject: patientRef, basedOn: [planRef], effectiveDateTime: k.recordedAt, ...(k.recordedByName ? { performer: [{ display: k.recordedByName }] } : {}) };
    for (const [name, value] of Object.entries(k.recordedVitals ?? {}) as [VitalSignName, number][]) {
      const v = VITAL_CODES[name];
      if (!v || value === undefined) continue;
      out.push({
        resourceType: 'Observation',
        id: `${k.id}-${name}`,
        ...common,
        category: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/observation-category', code: 'vital-signs', display: 'Vital Signs' }] }],
        code: { coding: [{ system: 'http://loinc.org', code: v.loinc, display: v.display }], text: v.display },
        valueQuantity: { value, unit: v.unit, system: 'http://unitsofmeasure.org', code: v.ucum },
      });
    }
    if (k.question && k.answer) {
      out.push({ resourceType: 'Observation', id: `${k.id}-answer`, ...common, code: { text: k.question }, valueString: k.answer });
    }
    if (k.attachmentId) {
      out.push({ resourceType: 'Observation', id: `${k.id}-photo`, ...common, code: { text: `Day ${k.day} photo` }, derivedFrom: [{ reference: `DocumentReference/${k.attachmentId}` }], ...(k.note ? { note: [{ text: k.note }] } : {}) });
    }
  }
  return out;
}
