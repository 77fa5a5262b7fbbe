/**
 * The floor: the authenticated todo list with nothing but node:http and pg.
 * Same work as GET /todos/?limit=100 — verify the HS256 JWT, look the user
 * up, select the page, answer JSON — and the same pool size, so the ratio
 * of the API's throughput to this one is the cost of the framework stack.
 *
 * FLOOR_TUNED=1 gives it the API's two settings that are not framework:
 * timestamps read as ISO strings (src/pg-types.ts) instead of `Date`s, and
 * (from the bench) start:prod's node flags. Minimal, it is the floor the
 * issue names; tuned, the API's ratio to it is the framework's own cost.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import http from 'node:http';
import pg from 'pg';
import { pgTypes, SESSION_TIME_ZONE } from '../src/db/pg-types.js';

const env = (name: string): string => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
};

const secret = env('SECRET_KEY');
const tuned = process.env.FLOOR_TUNED === '1';
const pool = new pg.Pool({
  connectionString: env('DATABASE_URL'),
  max: Number(env('DB_POOL_MAX')),
  ...(tuned ? { types: pgTypes, options: `-c TimeZone=${SESSION_TIME_ZONE}` } : {}),
});
/** A Date from pg's default parser, or already the ISO string when tuned. */
const iso = (value: Date | string) => (typeof value === 'string' ? value : value.toISOString());

/** The `sub` of a valid, unexpired HS256 token, or undefined. */
function userIdFrom(header: string | undefined): number | undefined {
  const token = header?.startsWith('Bearer ') ? header.slice(7) : undefined;
  const [head, body, signature] = token?.split('.') ?? [];
  if (!head || !body || !signature) return undefined;
  const expected = createHmac('sha256', secret).update(`${head}.${body}`).digest();
  const given = Buffer.from(signature, 'base64url');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
  const protectedHeader = JSON.parse(Buffer.from(head, 'base64url').toString()) as { alg?: string };
  const claims = JSON.parse(Buffer.from(body, 'base64url').toString()) as { sub?: string; exp?: number };
  if (protectedHeader.alg !== 'HS256' || typeof claims.exp !== 'number' || claims.exp <= Date.now() / 1000)
    return undefined;
  const id = Number(claims.sub);
  return Number.isSafeInteger(id) && id > 0 ? id : undefined;
}

const send = (res: http.ServerResponse, status: number, body: unknown) => {
  const json = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(json) });
  res.end(json);
};

async function list(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
  const userId = userIdFrom(req.headers.authorization);
  const user =
    userId === undefined ? undefined : (await pool.query('select * from users where id = $1', [userId])).rows[0];
  if (!user) return send(res, 401, { detail: 'Could not validate credentials' });
  const { rows } = await pool.query('select * from todos where user_id = $1 order by id limit $2 offset $3', [
    user.id,
    100,
    0,
  ]);
  send(res, 200, {
    todos: rows.map((row) => ({
      id: row.id,
      title: row.title,
      description: row.description,
      state: row.state,
      created_at: iso(row.created_at),
      updated_at: iso(row.updated_at),
    })),
  });
}

const server = http.createServer((req, res) => {
  if (req.method !== 'GET' || !req.url?.startsWith('/todos/')) return send(res, 404, { detail: 'Not Found' });
  list(req, res).catch(() => send(res, 500, { detail: 'Internal Server Error' }));
});
server.keepAliveTimeout = 65_000;
server.listen(Number(env('PORT')), '127.0.0.1');

process.on('SIGTERM', () => {
  server.close();
  server.closeAllConnections();
  void pool.end().then(() => process.exit(0));
});
