import type { Knex } from 'knex';
import PgClient, { type CompiledQuery } from 'knex/lib/dialects/postgres/index.js';
import type pg from 'pg';

/** A pooled pg connection as knex holds it. */
type PooledConnection = pg.Client & {
  /** Set while the connection runs a knex transaction. */
  __knexTxId?: string;
  /** Makes knex's pool destroy the connection instead of lending it again. */
  __knex__disposed?: unknown;
  /** pg's record of the statements this connection has prepared. */
  connection: { parsedStatements: Record<string, string> };
};

/**
 * A query option (knex's and Objection's `.options()`) for a statement whose
 * best plan depends on the values bound: it stays unnamed, so PostgreSQL plans
 * each execution for its values. A named one gets a generic plan after five
 * runs, and for `title like $1` that plan guesses the pattern's selectivity
 * instead of reading it: the trigram searches ran several times slower
 * (bench/RESULTS.md).
 */
export const PLANNED_PER_VALUE = Object.freeze({ plannedPerValue: true });

// "cached plan must not change result type": the table behind a `select *` or
// `returning *` changed (a migration ran) after this connection prepared it.
const PLAN_CHANGED = '0A000';

/**
 * knex's PostgreSQL client, but every statement a query builder compiles is
 * sent as a named prepared statement, named after its SQL text: PostgreSQL
 * parses and plans it once per connection instead of on every request, and
 * pg skips the Parse message. Builders bind values as parameters, so the
 * distinct texts are few (one per query shape); they are counted, and past
 * `maxStatements` further texts go unnamed, so ad-hoc SQL cannot grow the
 * list, or PostgreSQL's per-connection caches, without bound. `raw` queries
 * stay unnamed (their text may carry values), and so do those marked
 * PLANNED_PER_VALUE.
 *
 * Off (plain `client: 'pg'`) with DB_PREPARED_STATEMENTS=0: PgBouncer in
 * transaction mode before 1.21 cannot keep a statement prepared on one server
 * connection for the next transaction on another.
 */
export function namedStatementsClient(maxStatements = 200): typeof Knex.Client {
  const names = new Map<string, string>();
  const nameFor = (sql: string): string | undefined => {
    let name = names.get(sql);
    if (name === undefined && names.size < maxStatements) {
      name = `fz_${names.size + 1}`;
      names.set(sql, name);
    }
    return name;
  };

  return class NamedStatementsClient extends PgClient {
    override async _query(connection: PooledConnection, query: CompiledQuery): Promise<CompiledQuery> {
      const { plannedPerValue, ...options } = query.options ?? {};
      const unnamed = query.method === 'raw' || options.name !== undefined || plannedPerValue === true;
      const name = unnamed ? undefined : nameFor(query.sql);
      if (name === undefined) return super._query(connection, { ...query, options });
      const named = { ...query, options: { ...options, name } };
      try {
        return await super._query(connection, named);
      } catch (error) {
        if ((error as { code?: unknown }).code !== PLAN_CHANGED) throw error;
        // Inside a transaction the error has aborted it: nothing more can run on this connection
        // now, so it is not lent again, and its stale statement goes with it.
        if (connection.__knexTxId !== undefined) {
          connection.__knex__disposed = error;
          throw error;
        }
        // Otherwise prepare it again, against the table as it is now, and run it once more.
        await connection.query(`deallocate ${connection.escapeIdentifier(name)}`);
        delete connection.connection.parsedStatements[name];
        return super._query(connection, named);
      }
    }
  };
}
