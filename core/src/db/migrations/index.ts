import type { Migration } from '../migrator.js';
import { runtimeRole } from './001-runtime-role.js';

/** Core's migrations, in order. */
export const coreMigrations: readonly Migration[] = [runtimeRole];
