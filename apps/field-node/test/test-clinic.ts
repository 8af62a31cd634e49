import type { DataSource } from 'typeorm';

/** A mission, a Level 1 clinic and its officer in a test database, for the node's database tests. */
export async function seedClinic(dataSource: DataSource): Promise<{ mission: string; facility: string; officer: string }> {
  const q = dataSource.query.bind(dataSource);
  const [m] = await q(`INSERT INTO missions (code, name) VALUES ('TESTM', 'Test mission') RETURNING id`);
  const [f] = await q(`INSERT INTO facilities (name, level) VALUES ('Test clinic', 1) RETURNING id`);
  const [u] = await q(`INSERT INTO users (email, display_name, password_hash) VALUES ('o@t.demo', 'Officer', 'x') RETURNING id`);
  return { mission: m.id, facility: f.id, officer: u.id };
}
