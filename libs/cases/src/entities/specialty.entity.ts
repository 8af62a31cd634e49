import { Column, Entity, PrimaryColumn } from 'typeorm';

/** Clinical specialties a case can be referred to; a table, so a mission can add its own. */
@Entity('specialties')
export class Specialty {
  @PrimaryColumn({ type: 'varchar', length: 40 })
  code: string;

  @Column({ type: 'varchar', length: 120 })
  name: string;

  @Column({ type: 'boolean', default: true })
  active: boolean;
}
