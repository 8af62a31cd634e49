import { createTestDatabase, TestDatabase } from '@hub/testing';

describe('migrations', () => {
  let db: TestDatabase;
  afterEach(() => db?.drop());

  it('describe exactly the entities (no drift)', async () => {
    db = await createTestDatabase({ migrated: false });
    const applied = await db.dataSource.runMigrations({ transaction: 'each' });
    expect(applied.length).toBeGreaterThan(0);
    const pending = await db.dataSource.driver.createSchemaBuilder().log();
    // Any query here means an entity changed without a migration: run `npm run migration:generate -- Name`.
    expect(pending.upQueries.map((q) => q.query)).toEqual([]);
  });

  it('can be reverted completely', async () => {
    db = await createTestDatabase({ migrated: false });
    const applied = await db.dataSource.runMigrations({ transaction: 'each' });
    for (let i = 0; i < applied.length; i++) await db.dataSource.undoLastMigration({ transaction: 'each' });
    const tables = await db.dataSource.query(
      `SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_name <> 'schema_migrations'`,
    );
    expect(tables).toEqual([]);
  });
});
