import { parseArgs } from 'node:util';

export interface BenchOptions {
  /** Todos owned by the "big" user; the "small" user always has SMALL_USER_TODOS. */
  readonly todos: number;
  /** Extra users with a few todos each, so the tables are not one user's alone. */
  readonly users: number;
  readonly durationSeconds: number;
  readonly connections: number;
  readonly loginConnections: number;
  readonly poolMax: number;
  /** An API already running elsewhere; then --database-url is its database. */
  readonly url: string | undefined;
  readonly databaseUrl: string | undefined;
  /** Run the API from its TypeScript sources through tsx instead of the compiled build. */
  readonly tsx: boolean;
  /** Extra node flags for the API process, e.g. heap settings to try. */
  readonly nodeOptions: readonly string[];
  /** Settings of a second API whose list is measured beside the first's (an A/B in one run). */
  readonly compareEnv: Readonly<Record<string, string>> | undefined;
  /** A git revision whose build is the second API instead (an A/B of two versions of the code). */
  readonly compareRef: string | undefined;
  /** Scenario names to run; empty means all. */
  readonly only: readonly string[];
}

export const SMALL_USER_TODOS = 10_000;

const USAGE = `npm run bench -- [flags]
  --todos N              todos of the big user (default 100000; 1000000 works in a few minutes)
  --users N              other users, 10 todos each (default 1000)
  --duration S           seconds per scenario (default 10)
  --connections N        concurrent connections (default 64)
  --login-connections N  concurrent logins (default 8)
  --pool N               DB_POOL_MAX of the API and of the floor (default 10)
  --database-url URL     seed and use this PostgreSQL instead of a throwaway embedded one
                         (only rows of users named bench-* are replaced)
  --url URL              drive an API already running there (needs --database-url; no RSS
                         or event-loop figures for it)
  --tsx                  run the API from src/ through tsx instead of the compiled build
  --node-options=FLAGS   node flags for the API process, after npm run start:prod's own
  --only a,b             run only these scenarios (names as in the table)
  --compare-env K=V,…    also start an API with these settings changed; its list (list-big-b)
                         and logins (login-b) alternate with the first API's: an A/B in one
                         run (e.g. LOGIN_RATE_LIMIT=0: the login path without its limits)
  --compare-ref REV      the second API is git revision REV, built apart (e.g. HEAD~1 or main):
                         its list, create, patch and logins (*-b) alternate with this tree's`;

const positive = (name: string, value: string | undefined, fallback: number): number => {
  if (value === undefined) return fallback;
  const parsed = Number(value);
  if (!Number.isSafeInteger(parsed) || parsed < 1) throw new Error(`--${name} must be a positive whole number`);
  return parsed;
};

/** Parses the command line; prints the usage and exits on --help. */
export function parseOptions(argv: readonly string[]): BenchOptions {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      todos: { type: 'string' },
      users: { type: 'string' },
      duration: { type: 'string' },
      connections: { type: 'string' },
      'login-connections': { type: 'string' },
      pool: { type: 'string' },
      url: { type: 'string' },
      'database-url': { type: 'string' },
      tsx: { type: 'boolean', default: false },
      only: { type: 'string' },
      'node-options': { type: 'string' },
      'compare-env': { type: 'string' },
      'compare-ref': { type: 'string' },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    process.exit(0);
  }
  if (values['compare-env'] && values['compare-ref'])
    throw new Error('--compare-env and --compare-ref: one second API at a time');
  if (values.url && !values['database-url']) throw new Error('--url needs --database-url: the bench seeds through SQL');
  return {
    todos: positive('todos', values.todos, 100_000),
    users: positive('users', values.users, 1_000),
    durationSeconds: positive('duration', values.duration, 10),
    connections: positive('connections', values.connections, 64),
    loginConnections: positive('login-connections', values['login-connections'], 8),
    poolMax: positive('pool', values.pool, 10),
    url: values.url?.replace(/\/$/, ''),
    databaseUrl: values['database-url'],
    tsx: values.tsx,
    nodeOptions: values['node-options']?.split(/\s+/).filter(Boolean) ?? [],
    only: values.only ? values.only.split(',').map((name) => name.trim()) : [],
    compareEnv: values['compare-env']
      ? Object.fromEntries(
          values['compare-env'].split(',').map((pair) => {
            const [key, ...value] = pair.split('=');
            if (!key || value.length === 0) throw new Error('--compare-env takes KEY=VALUE pairs, comma-separated');
            return [key.trim(), value.join('=')];
          }),
        )
      : undefined,
    compareRef: values['compare-ref'],
  };
}
