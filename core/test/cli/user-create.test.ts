import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runUserCreate, UserCommandError } from '../../src/cli/user.js';
import { loadConfig } from '../../src/config/load-config.js';
import type { PlinthConfig } from '../../src/config/variables.js';
import { runAsSystem } from '../../src/db/scoped-db.js';
import { createTestKernel, testPassword, type TestKernel } from '../../src/testing/index.js';
import { databaseUrlFor, serverEnv, templateEnv, withServerClient } from '../../src/testing/test-database.js';

let t: TestKernel;
let config: PlinthConfig;
const cliEnv = { LOG_LEVEL: 'silent', PLINTH_JWT_SECRET: 'cli-test-secret-cli-test-secret-012345' };
beforeAll(async () => {
  t = await createTestKernel();
  config = await loadConfig({ env: { ...cliEnv, DATABASE_URL: t.database.url } });
});
afterAll(() => t.close());

/** Runs `plinth user create` in-process, collecting what it prints. */
async function createUser(options: Parameters<typeof runUserCreate>[1]) {
  const lines: string[] = [];
  const user = await runUserCreate(config, options, (line) => lines.push(line));
  return { user, lines };
}

const signIn = (email: string, password: string) => t.request('POST', '/api/v1/auth/login', { body: { email, password } });

describe('plinth user create', () => {
  it('creates a super-admin who can sign in, and prints no password it was given', async () => {
    const password = testPassword();
    const { user, lines } = await createUser({ email: 'ops@example.test', name: 'Ops', password, superAdmin: true });
    expect(lines.join('\n')).not.toContain(password);
    expect(lines.join('\n')).toContain(user.id);
    const login = await signIn('ops@example.test', password);
    expect(login.status).toBe(200);
    const me = await t.request('GET', '/api/v1/me', { headers: { authorization: `Bearer ${login.body.data.tokens.access_token}` } });
    expect(me.body.data).toMatchObject({ email: 'ops@example.test', name: 'Ops', is_super_admin: true, status: 'active' });
    const audit = await runAsSystem(t.kernel.services.database, (db) =>
      db.query("select data from host_audit_log where action = 'user.created' and target_id = $1", [user.id]),
    );
    expect(audit).toEqual([{ data: { source: 'cli', is_super_admin: true } }]);
  });

  it('generates a password when none is given and prints it once', async () => {
    const { lines } = await createUser({ email: 'plain@example.test', name: 'Plain' });
    const printed = lines.map((line) => /^Password \(shown only now\): (\S+)$/.exec(line)?.[1]).filter(Boolean);
    expect(printed).toHaveLength(1);
    const login = await signIn('plain@example.test', printed[0]!);
    expect(login.status).toBe(200);
    expect(login.body.data.user.is_super_admin).toBe(false);
  });

  it('refuses a taken email (any case), a bad email, an empty name and a weak password with a clear message', async () => {
    await createUser({ email: 'taken@example.test', name: 'Taken', password: testPassword() });
    await expect(createUser({ email: 'TAKEN@example.test', name: 'Again', password: testPassword() })).rejects.toThrow(
      new UserCommandError('a user with the email TAKEN@example.test already exists'),
    );
    await expect(createUser({ email: 'not-an-email', name: 'X' })).rejects.toThrow(/^--email must match format "email"$/);
    await expect(createUser({ email: 'x@example.test', name: '  ' })).rejects.toThrow(/^--name /);
    await expect(createUser({ email: 'y@example.test', name: 'Y', password: 'password1' })).rejects.toThrow(/^--password is too common/);
    await expect(createUser({ email: 'z@example.test', name: 'Z', password: 'short' })).rejects.toThrow(UserCommandError);
    const rows = await runAsSystem(t.kernel.services.database, (db) =>
      db.query("select email from users where email in ('x@example.test', 'y@example.test', 'z@example.test')"),
    );
    expect(rows).toEqual([]);
  });

  it('migrates an empty database before creating the user', async () => {
    const serverUrl = process.env[serverEnv]!;
    const name = `${process.env[templateEnv]!.replace(/_template$/, '')}_empty_${process.pid}`;
    await withServerClient(serverUrl, (client) => client.query(`create database ${client.escapeIdentifier(name)}`));
    try {
      const emptyConfig = await loadConfig({ env: { ...cliEnv, DATABASE_URL: databaseUrlFor(serverUrl, name) } });
      const user = await runUserCreate(emptyConfig, { email: 'first@example.test', name: 'First', password: testPassword() }, () => undefined);
      expect(user.email).toBe('first@example.test');
    } finally {
      await withServerClient(serverUrl, (client) => client.query(`drop database if exists ${client.escapeIdentifier(name)} with (force)`));
    }
  });
});
