// knex's PostgreSQL dialect, which `client: 'pg'` resolves to; knex's own types do not declare it.
declare module 'knex/lib/dialects/postgres/index.js' {
  import type { Knex } from 'knex';

  /** The compiled query knex's runner hands to `_query`. */
  export interface CompiledQuery {
    sql: string;
    bindings?: readonly unknown[];
    method?: string;
    options?: Record<string, unknown>;
  }

  class PgClient extends Knex.Client {
    /** Sends one compiled query on a pooled pg connection (pg's `query` with `options` merged in). */
    _query(connection: unknown, query: CompiledQuery): Promise<CompiledQuery>;
  }
  export default PgClient;
}
