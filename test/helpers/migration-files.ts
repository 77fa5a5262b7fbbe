import { readdir } from 'node:fs/promises';

/**
 * The migrations as written, named as knex records them: the .ts files of
 * the repository's migrations/, whether the run loads those or their build.
 */
export async function writtenMigrations(): Promise<string[]> {
  return (await readdir('migrations'))
    .filter((file) => file.endsWith('.ts') && !file.endsWith('.d.ts'))
    .map((file) => file.replace(/\.ts$/, ''))
    .sort();
}
