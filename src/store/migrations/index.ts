import type { Migration, MigrationProvider } from 'kysely';
import * as m001 from './001-initial.ts';
import * as m002 from './002-staged-records.ts';

/** All migrations, in order. Kept in code (not read from disk) so they ship inside any bundle. */
export const migrations: Record<string, Migration> = {
  '001-initial': m001,
  '002-staged-records': m002,
};

/** Hands Kysely's migrator the migrations above. */
export const migrationProvider: MigrationProvider = {
  async getMigrations() {
    return migrations;
  },
};
