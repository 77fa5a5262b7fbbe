/**
 * The floor: the endpoints the bench measures (the authenticated todo list,
 * create and patch) written the fastest correct way with nothing but
 * node:http and pg, so the API's ratio to it is the cost of its stack.
 *
 * What a person writing this by hand would do, and the API does not:
 * named prepared statements (planned once per connection, not per request),
 * only the columns the answer needs, timestamps read as text and reshaped
 * to ISO-8601 by slicing (no `Date`), the HS256 signature checked with one
 * HMAC on a key made once, and rows serialized as pg returns them. Same
 * pool size, same two round trips for an authenticated request (token →
 * user lookup → statement), the same response bodies byte for byte
 * (test/bench-floor.test.ts compares them with the API's).
 */
import { createHmac, createSecretKey, timingSafeEqual } from 'node:crypto';
import http from 'node:http';
import pg from 'pg';

export interface FloorOptions {
  readonly databaseUrl: string;
  readonly secretKey: string;
  readonly poolMax: number;
  /** How its connections show in pg_stat_activity, so the bench can find its backends. */
  readonly applicationName: string;
}

export interface Floor {
  readonly server: http.Server;
  readonly pool: pg.Pool;
  close(): Promise<void>;
}

const TIMESTAMPTZ_OID = 1184;
const TODO_STATES = new Set(['draft', 'todo', 'doing', 'done', 'trash']);
const TITLE_MAX = 255;
const DESCRIPTION_MAX = 2000;
const INT4_MAX = 2_147_483_647;
const COLUMNS = 'id, title, description, state, created_at, updated_at';

const defaultTimestamptz = pg.types.getTypeParser(TIMESTAMPTZ_OID, 'text') as (text: string) => Date;

/**
 * `2026-12-01 04:51:21.123456+00` → `2026-12-01T04:51:21.123Z` (a UTC
 * session sends every timestamptz in that shape; milliseconds truncated,
 * as `Date` does); anything else through pg's own parser.
 */
function isoTimestamp(text: string): string {
  if (text[10] !== ' ' || !text.endsWith('+00')) return defaultTimestamptz(text).toISOString();
  const millis = text.length === 22 ? '000' : `${text.slice(20, -3)}00`.slice(0, 3);
  return `${text.slice(0, 10)}T${text.slice(11, 19)}.${millis}Z`;
}

const types = {
  getTypeParser: (oid: number, format?: 'text' | 'binary') =>
    oid === TIMESTAMPTZ_OID ? isoTimestamp : pg.types.getTypeParser(oid, format),
};

// Named: pg prepares each once per connection and then only binds and executes.
const statements = {
  user: 'select id from users where id = $1',
  list: `select ${COLUMNS} from todos where user_id = $1 order by id limit $2 offset $3`,
  create: `insert into todos (title, description, state, user_id) values ($1, $2, $3, $4) returning ${COLUMNS}`,
  todo: `select ${COLUMNS} from todos where id = $1 and user_id = $2`,
  patch:
    `update todos set title = coalesce($3, title), description = coalesce($4, description),` +
    ` state = coalesce($5::todo_state, state), updated_at = now()` +
    ` where id = $1 and user_id = $2 returning ${COLUMNS}`,
};

type Answer = readonly [status: number, body: string];

const detail = (status: number, message: string): Answer => [status, JSON.stringify({ detail: message })];
const NOT_AUTHENTICATED = detail(401, 'Not authenticated');
const INVALID_CREDENTIALS = detail(401, 'Could not validate credentials');
const NOT_FOUND = detail(404, 'Not Found');
const TASK_NOT_FOUND = detail(404, 'Task not found.');
const INVALID = detail(422, 'Invalid request');

const isText = (value: unknown, max: number) =>
  typeof value === 'string' && value.length <= max && !value.includes('\u0000');
const absentOr = (value: unknown, valid: (v: unknown) => boolean) =>
  value === undefined || value === null || valid(value);
const isState = (value: unknown) => typeof value === 'string' && TODO_STATES.has(value);

/** A strictly decimal integer in `min`–`max` from a query string or path, or undefined. */
function integer(text: string | null | undefined, fallback: number | undefined, min: number, max: number) {
  if (text === null || text === undefined) return fallback;
  if (!/^-?\d{1,16}$/.test(text)) return undefined;
  const value = Number(text);
  return value >= min && value <= max ? value : undefined;
}

/** The API's token rules: HS256 only (never the token's choice), a signature over our key, an unexpired `exp`. */
function tokenVerifier(secret: string) {
  const key = createSecretKey(Buffer.from(secret));
  return (token: string): number | undefined => {
    const headerEnd = token.indexOf('.');
    const payloadEnd = token.indexOf('.', headerEnd + 1);
    if (headerEnd < 1 || payloadEnd < 0 || token.indexOf('.', payloadEnd + 1) !== -1) return undefined;
    const expected = createHmac('sha256', key).update(token.slice(0, payloadEnd)).digest();
    const given = Buffer.from(token.slice(payloadEnd + 1), 'base64url');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
    try {
      const header = JSON.parse(Buffer.from(token.slice(0, headerEnd), 'base64url').toString()) as { alg?: unknown };
      const claims = JSON.parse(Buffer.from(token.slice(headerEnd + 1, payloadEnd), 'base64url').toString()) as {
        sub?: unknown;
        exp?: unknown;
      };
      if (header.alg !== 'HS256' || typeof claims.exp !== 'number' || claims.exp <= Date.now() / 1000) return undefined;
      const id = Number(claims.sub);
      return Number.isSafeInteger(id) && id > 0 && id <= INT4_MAX ? id : undefined;
    } catch {
      return undefined;
    }
  };
}

function readBody(req: http.IncomingMessage): Promise<unknown> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      try {
        resolve(JSON.parse(Buffer.concat(chunks).toString()));
      } catch {
        resolve(undefined);
      }
    });
  });
}

/** Starts nothing: the caller listens on `server` and calls `close()` when done. */
export function createFloor(options: FloorOptions): Floor {
  const pool = new pg.Pool({
    connectionString: options.databaseUrl,
    max: options.poolMax,
    application_name: options.applicationName,
    options: '-c TimeZone=UTC',
    types,
  });
  const verify = tokenVerifier(options.secretKey);
  const run = async (name: keyof typeof statements, values: unknown[]) =>
    (await pool.query({ name, text: statements[name], values })).rows;

  async function currentUserId(req: http.IncomingMessage): Promise<number | Answer> {
    const header = req.headers.authorization;
    if (!header || header.slice(0, 7).toLowerCase() !== 'bearer ') return NOT_AUTHENTICATED;
    const id = verify(header.slice(7).trim());
    const [user] = id === undefined ? [] : await run('user', [id]);
    return user ? (user.id as number) : INVALID_CREDENTIALS;
  }

  async function answer(req: http.IncomingMessage, url: URL): Promise<Answer> {
    const todoPath = /^\/todos\/(-?\d+)$/.exec(url.pathname);
    const isList = url.pathname === '/todos/' || url.pathname === '/todos';
    if (!isList && !todoPath) return NOT_FOUND;
    const userId = await currentUserId(req);
    if (typeof userId !== 'number') return userId;

    if (isList && req.method === 'GET') {
      const limit = integer(url.searchParams.get('limit'), 100, 1, 1000);
      const offset = integer(url.searchParams.get('offset'), 0, 0, INT4_MAX);
      if (limit === undefined || offset === undefined) return INVALID;
      return [200, JSON.stringify({ todos: await run('list', [userId, limit, offset]) })];
    }
    if (isList && req.method === 'POST') {
      const body = (await readBody(req)) as Record<string, unknown> | undefined;
      if (!body || !isText(body.title, TITLE_MAX) || !isText(body.description, DESCRIPTION_MAX) || !isState(body.state))
        return INVALID;
      const [todo] = await run('create', [body.title, body.description, body.state, userId]);
      return [201, JSON.stringify(todo)];
    }
    if (todoPath && req.method === 'PATCH') {
      const body = (await readBody(req)) as Record<string, unknown> | undefined;
      const id = integer(todoPath[1], undefined, Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER);
      if (
        !body ||
        id === undefined ||
        !absentOr(body.title, (v) => isText(v, TITLE_MAX)) ||
        !absentOr(body.description, (v) => isText(v, DESCRIPTION_MAX)) ||
        !absentOr(body.state, isState)
      )
        return INVALID;
      if (id < 1 || id > INT4_MAX) return TASK_NOT_FOUND;
      const changes = [body.title ?? null, body.description ?? null, body.state ?? null];
      // Nothing to change: no UPDATE, so updated_at stays put, as in the API.
      const [todo] = changes.every((value) => value === null)
        ? await run('todo', [id, userId])
        : await run('patch', [id, userId, ...changes]);
      return todo ? [200, JSON.stringify(todo)] : TASK_NOT_FOUND;
    }
    return detail(405, 'Method Not Allowed');
  }

  const server = http.createServer((req, res) => {
    const send = ([status, body]: Answer) => {
      res.writeHead(status, {
        'content-type': 'application/json; charset=utf-8',
        'content-length': Buffer.byteLength(body),
        ...(status === 401 ? { 'www-authenticate': 'Bearer' } : {}),
      });
      res.end(body);
    };
    answer(req, new URL(req.url ?? '/', 'http://floor')).then(send, () => send(detail(500, 'Internal Server Error')));
  });
  server.keepAliveTimeout = 65_000;

  return {
    server,
    pool,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await pool.end();
    },
  };
}
