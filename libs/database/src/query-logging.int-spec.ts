import { Logger } from '@nestjs/common';
import { createTestDatabase, TestDatabase } from '@hub/testing';
import { createDataSource } from './data-source';

/**
 * Issue 12, finding 10: TypeORM's own logger printed a failed statement with its parameters (patient data) outside
 * pino's redaction. The hub's DataSource logs a failed query through Nest's logger with its text and code only, and
 * PostgreSQL messages that quote the offending value are redacted.
 */
describe('failed queries are logged without their values (PostgreSQL)', () => {
  let db: TestDatabase;
  const written: string[] = [];
  const spies: jest.SpyInstance[] = [];

  beforeAll(async () => {
    db = await createTestDatabase();
    const capture = (chunk: unknown) => {
      written.push(String(chunk));
      return true;
    };
    spies.push(jest.spyOn(process.stdout, 'write').mockImplementation(capture as never));
    spies.push(jest.spyOn(process.stderr, 'write').mockImplementation(capture as never));
    for (const method of ['log', 'error', 'warn', 'info', 'debug'] as const) {
      spies.push(jest.spyOn(console, method).mockImplementation((...args: unknown[]) => void written.push(args.map(String).join(' '))));
    }
    // Whatever Nest's logger would print (pino in the hub) is captured too, structured fields included.
    for (const method of ['log', 'error', 'warn'] as const) {
      spies.push(jest.spyOn(Logger.prototype, method).mockImplementation(function (this: Logger, ...args: unknown[]) {
        written.push(JSON.stringify(args));
      }));
    }
  });
  afterAll(async () => {
    spies.forEach((s) => s.mockRestore());
    await db?.drop();
  });

  it('logs the failure (code and statement) but neither the parameters nor a value PostgreSQL quotes', async () => {
    const ds = createDataSource({ url: db.url, entities: [], migrations: [], poolSize: 1 });
    await ds.initialize();
    try {
      const secret = 'Dupont-Marie-UN-0042';
      await expect(ds.query('SELECT $1::int AS n', [secret])).rejects.toThrow(/invalid input syntax/);
      await expect(ds.query(`SELECT id FROM users WHERE email = $1 AND id = $2::uuid`, ['patient.secret@example.org', 'also-secret-Dupont'])).rejects.toThrow();
      await expect(ds.query(`SELECT 'literal-in-message'::int`)).rejects.toThrow();
    } finally {
      await ds.destroy();
    }
    const out = written.join('\n');
    expect(out).toMatch(/query failed/);
    expect(out).toMatch(/22P02/); // the error code stays, for diagnosis
    expect(out).toContain('SELECT $1::int AS n'); // the statement's text stays
    for (const value of ['Dupont-Marie-UN-0042', 'patient.secret@example.org', 'also-secret-Dupont', 'literal-in-message"']) {
      expect(out).not.toContain(value);
    }
  });
});
