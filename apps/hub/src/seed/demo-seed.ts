import { DataSource } from 'typeorm';
import { Role } from '@hub/contracts';
import { Facility, Membership, Mission, PasswordService, User } from '@hub/identity';
import { DEMO_NODE_ENROLMENT_CODE } from '@hub/config';
import { secretHash } from '@hub/sync';
import { seedTraining } from './training-seed';

export const DEMO_PASSWORD = 'FieldHub!2026';

export interface DemoLogin {
  email: string;
  role: Role;
  where: string;
}

/**
 * Demo data for a first run: two missions, two Level 1 clinics and a Level 2 hospital in each, one Level 4
 * reference hospital serving both (in Nairobi), one user per role per mission, a Level 4 specialist, a Level 4
 * psychologist (mental-health sessions) and a system administrator. Missions carry their time zones.
 * Runs only when the database has no mission yet.
 */
export async function seedDemo(dataSource: DataSource, passwords: PasswordService): Promise<DemoLogin[] | null> {
  const count = await dataSource.getRepository(Mission).count();
  if (count > 0) return null;
  const passwordHash = await passwords.hash(DEMO_PASSWORD);
  const logins: DemoLogin[] = [];

  await dataSource.transaction(async (manager) => {
    const missions = manager.getRepository(Mission);
    const facilities = manager.getRepository(Facility);
    const users = manager.getRepository(User);
    const memberships = manager.getRepository(Membership);

    const addUser = async (
      email: string,
      displayName: string,
      role: Role,
      where: { mission?: Mission; facility?: Facility; label: string },
      specialties: string[] = [],
    ) => {
      const user = await users.save(users.create({ email, displayName, passwordHash, specialties }));
      await memberships.save(
        memberships.create({ userId: user.id, role, missionId: where.mission?.id ?? null, facilityId: where.facility?.id ?? null }),
      );
      logins.push({ email, role, where: where.label });
    };

    const minusca = await missions.save(missions.create({ code: 'MINUSCA', name: 'UN Multidimensional Integrated Stabilization Mission in the Central African Republic', timeZone: 'Africa/Bangui' }));
    const unmiss = await missions.save(missions.create({ code: 'UNMISS', name: 'UN Mission in the Republic of South Sudan', timeZone: 'Africa/Juba' }));
    const l4 = await facilities.save(facilities.create({ name: 'Nairobi Reference Hospital (Level 4)', level: 4, missions: [minusca, unmiss], timeZone: 'Africa/Nairobi' }));

    const plan = [
      { mission: minusca, key: 'minusca', clinics: ['Bangui Level 1 Clinic (BANBAT)', 'Bria Level 1 Clinic (ZAMBAT)'], hospital: 'Bangui Level 2 Hospital' },
      { mission: unmiss, key: 'unmiss', clinics: ['Juba Level 1 Clinic (RWANBAT)', 'Malakal Level 1 Clinic (INDBAT)'], hospital: 'Juba Level 2 Hospital' },
    ];
    for (const p of plan) {
      const [clinicA] = await Promise.all(
        p.clinics.map((name) => facilities.save(facilities.create({ name, level: 1, missions: [p.mission] }))),
      );
      const hospital = await facilities.save(facilities.create({ name: p.hospital, level: 2, missions: [p.mission] }));
      const code = p.mission.code;
      await addUser(`officer@${p.key}.demo`, `Dr. Field Officer (${code})`, Role.FieldMedicalOfficer, { mission: p.mission, facility: clinicA, label: clinicA.name });
      await addUser(`doctor@${p.key}.demo`, `Dr. Reference Doctor (${code})`, Role.ReferenceDoctor, { mission: p.mission, facility: hospital, label: hospital.name }, ['general_medicine', 'surgery', 'dermatology']);
      await addUser(`manager@${p.key}.demo`, `Health Manager (${code})`, Role.HealthManager, { mission: p.mission, label: code });
      await addUser(`trainer@${p.key}.demo`, `Trainer (${code})`, Role.Trainer, { mission: p.mission, label: code });
      await addUser(`admin@${p.key}.demo`, `Mission Administrator (${code})`, Role.MissionAdmin, { mission: p.mission, label: code });
      // Not yet certified: cannot open cases until the "Telemedicine user" course is done (training-seed.ts).
      await addUser(`newofficer@${p.key}.demo`, `Dr. New Officer (${code})`, Role.FieldMedicalOfficer, { mission: p.mission, facility: clinicA, label: `${clinicA.name}, not yet certified` });
    }
    await addUser('specialist@l4.demo', 'Dr. Level 4 Specialist', Role.ReferenceDoctor, { facility: l4, label: l4.name }, ['dermatology', 'cardiology', 'radiology']);
    // Mental-health sessions (docs/consultations.md): a psychologist who publishes slots both missions' officers book.
    await addUser('psychologist@l4.demo', 'Dr. Level 4 Psychologist', Role.ReferenceDoctor, { facility: l4, label: `${l4.name}, mental health` }, ['mental_health']);
    await addUser('sysadmin@hub.demo', 'System Administrator', Role.SystemAdmin, { label: 'all missions' });

    const ids = Object.fromEntries((await users.find({ select: { id: true, email: true } })).map((u) => [u.email, u.id]));
    await seedTraining(manager, {
      missions: plan.map((p) => ({ id: p.mission.id, code: p.mission.code, key: p.key })),
      users: ids,
      sysadminId: ids['sysadmin@hub.demo'],
    });
    // The Bangui clinic's field node (docs/field-node.md): `npm run start:node` enrols with this code.
    const bangui = await facilities.findOneByOrFail({ name: 'Bangui Level 1 Clinic (BANBAT)' });
    await manager.query(
      `INSERT INTO field_nodes (mission_id, facility_id, name, enrolment_code_hash, enrolment_expires_at, created_by_id)
       VALUES ($1, $2, 'Bangui Level 1 node', $3, now() + interval '365 days', $4)`,
      [minusca.id, bangui.id, secretHash(DEMO_NODE_ENROLMENT_CODE), ids['admin@minusca.demo']],
    );
  });
  return logins;
}
