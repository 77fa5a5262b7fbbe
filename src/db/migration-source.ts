import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Knex } from 'knex';

/** The migrations folder beside src/, both in the sources and in dist/. */
export const MIGRATIONS_DIR = fileURLToPath(new URL('../../migrations/', import.meta.url));

// tsx runs src/*.ts, production runs dist/src/*.js: load the matching kind.
const RUNNING_COMPILED = import.meta.url.endsWith('.js');
const EXTENSION = RUNNING_COMPILED ? '.js' : '.ts';

interface MigrationFile {
  readonly name: string;
  readonly file: string;
}

/**
 * knex records a migration by its file name, extension included, so `.ts` in
 * development and `.js` in production would read as a corrupt directory
 * (knex issue 4037). This source names each migration without its extension.
 */
export class ExtensionlessMigrationSource implements Knex.MigrationSource<MigrationFile> {
  constructor(private readonly directory: string = MIGRATIONS_DIR) {}

  async getMigrations(): Promise<MigrationFile[]> {
    const entries = await readdir(this.directory);
    return entries
      .filter((file) => file.endsWith(EXTENSION) && !file.endsWith('.d.ts'))
      .sort()
      .map((file) => ({ name: path.basename(file, EXTENSION), file }));
  }

  getMigrationName(migration: MigrationFile): string {
    return migration.name;
  }

  async getMigration(migration: MigrationFile): Promise<Knex.Migration> {
    return (await import(pathToFileURL(path.join(this.directory, migration.file)).href)) as Knex.Migration;
  }
}
