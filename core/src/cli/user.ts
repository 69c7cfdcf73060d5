import { ValidationError } from '@plinth/sdk';
import { Type } from '@sinclair/typebox';
import { recordHostAudit } from '../audit/audit.js';
import { hashPassword, passwordProblems } from '../auth/passwords.js';
import type { PlinthConfig } from '../config/variables.js';
import { randomToken } from '../crypto/secrets.js';
import { resolveDatabase } from '../db/connect.js';
import { createDatabase } from '../db/database.js';
import { migrate } from '../db/migrator.js';
import { coreMigrations } from '../db/migrations/index.js';
import { runAsSystem } from '../db/scoped-db.js';
import { validate } from '../http/validation.js';
import { createLogger } from '../logger.js';

/** A problem with the command's input (bad email, weak password, taken email): its message is all the user needs. */
export class UserCommandError extends Error {
  override name = 'UserCommandError';
}

export interface CreateUserOptions {
  email: string;
  name: string;
  /** Generated (and printed once) when absent. */
  password?: string | undefined;
  superAdmin?: boolean | undefined;
}

const NewUser = Type.Object({ email: Type.String({ format: 'email', maxLength: 254 }), name: Type.String({ minLength: 1, maxLength: 120 }) });

/**
 * `plinth user create --email … --name … [--password …] [--super-admin]`:
 * migrates core, then creates an active user (a host operator with
 * `--super-admin`). Prints the generated password once when none was given.
 */
export async function runUserCreate(
  config: PlinthConfig,
  options: CreateUserOptions,
  print: (line: string) => void = console.log,
): Promise<{ id: string; email: string }> {
  const name = options.name.trim();
  checkInput(options.email, name);
  const password = options.password ?? randomToken(18);
  const problems = passwordProblems(password, { email: options.email });
  if (problems.length > 0) throw new UserCommandError(`--password ${problems.join('; ')}`);

  const logger = createLogger(config.logLevel === 'info' ? 'warn' : config.logLevel);
  const target = await resolveDatabase(config, logger);
  const database = createDatabase({ url: target.url, poolMax: 2 });
  try {
    await migrate(database.knex, 'core', coreMigrations);
    const passwordHash = await hashPassword(password);
    const superAdmin = options.superAdmin === true;
    const user = await runAsSystem(database, async (db) => {
      const [created] = await db.query<{ id: string; email: string }>(
        // A host operator vouches for the address of an account made here.
        'insert into users (email, name, password_hash, is_super_admin, email_verified_at) values ($1, $2, $3, $4, now()) on conflict do nothing returning id, email',
        [options.email, name, passwordHash, superAdmin],
      );
      if (!created) throw new UserCommandError(`a user with the email ${options.email} already exists`);
      await recordHostAudit(db, {}, { action: 'user.created', targetType: 'user', targetId: created.id, data: { source: 'cli', is_super_admin: superAdmin } });
      return created;
    });
    print(`Created ${superAdmin ? 'super-admin' : 'user'} ${user.email} (${user.id}).`);
    if (options.password === undefined) print(`Password (shown only now): ${password}`);
    return user;
  } finally {
    await database.destroy();
    await target.release();
  }
}

function checkInput(email: string, name: string): void {
  try {
    validate(NewUser, { email, name });
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error;
    const [field, messages] = Object.entries(error.errors ?? {})[0] ?? ['input', ['is invalid']];
    throw new UserCommandError(`--${field} ${messages.join('; ')}`);
  }
}
