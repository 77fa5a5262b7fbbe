import type autocannon from 'autocannon';
import { COMMON_TITLE_SEARCH, PASSWORD, RARE_DESCRIPTION_SEARCH, type Seeded } from './seed.js';

type Request = autocannon.Request;

/** One bounded load: which server, how many connections, what each request is. */
export interface Scenario {
  readonly name: string;
  readonly request: string;
  readonly target: 'api' | 'floor' | 'api-b';
  readonly connections: number;
  readonly requests: Request[];
}

/** mulberry32: a fixed seed makes every run send the same sequence of ids and choices. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const STATES = ['draft', 'todo', 'doing', 'done', 'trash'] as const;

export interface ScenarioInput {
  readonly seeded: Seeded;
  /** `floor` is `big` signed with the floor's secret; the same token unless the API is remote. */
  readonly tokens: { readonly big: string; readonly small: string; readonly floor: string };
  readonly users: number;
  readonly connections: number;
  readonly loginConnections: number;
  /** The second API (`--compare-env`, `--compare-ref`), as a label: its list, writes and logins run beside the first's. */
  readonly compare?: string | undefined;
}

/** The scenarios in the order they run; the floor runs right after the list it is compared with. */
export function scenarios({
  seeded,
  tokens,
  users,
  connections,
  loginConnections,
  compare,
}: ScenarioInput): Scenario[] {
  const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
  const big = bearer(tokens.big);
  const json = { ...big, 'content-type': 'application/json' };
  const floorJson = { ...bearer(tokens.floor), 'content-type': 'application/json' };
  const { firstTodoId, lastTodoId } = seeded.big;
  const pick = random(7);
  const todoId = () => firstTodoId + Math.floor(pick() * (lastTodoId - firstTodoId + 1));

  const list: Request = { method: 'GET', path: '/todos/?limit=100', headers: big };
  const search: Request = { method: 'GET', path: `/todos/?limit=100&title=${COMMON_TITLE_SEARCH}`, headers: big };
  const rare: Request = {
    method: 'GET',
    path: `/todos/?limit=100&description=${RARE_DESCRIPTION_SEARCH}`,
    headers: big,
  };
  const create: Request = {
    method: 'POST',
    path: '/todos/',
    headers: json,
    body: JSON.stringify({ title: 'bench todo', description: 'made by npm run bench', state: 'todo' }),
  };
  const setupPatch = (request: Request): Request => ({
    ...request,
    path: `/todos/${todoId()}`,
    body: JSON.stringify({ state: STATES[Math.floor(pick() * STATES.length)] }),
  });
  const patch: Request = {
    method: 'PATCH',
    path: '/todos/0',
    headers: json,
    setupRequest: (request) => setupPatch(request),
  };
  // 70 % lists, 10 % each of search, create and patch: reads dominate a to-do app.
  const mixed: Request = {
    method: 'GET',
    path: '/',
    setupRequest: (request) => {
      const roll = pick();
      const chosen = roll < 0.7 ? list : roll < 0.8 ? search : roll < 0.9 ? create : patch;
      const base = { ...request, method: chosen.method, path: chosen.path, headers: chosen.headers, body: chosen.body };
      return chosen === patch ? setupPatch(base) : base;
    },
  };
  const login: Request = {
    method: 'POST',
    path: '/auth/token',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    setupRequest: (request) => {
      // Spread over many accounts, as real logins are.
      const email = `bench-user-${1 + Math.floor(pick() * users)}@bench.test`;
      return { ...request, body: new URLSearchParams({ username: email, password: PASSWORD }).toString() };
    },
  };

  const bigLabel = `${(seeded.big.lastTodoId - seeded.big.firstTodoId + 1).toLocaleString('en')} todos`;
  const smallLabel = `${(seeded.small.lastTodoId - seeded.small.firstTodoId + 1).toLocaleString('en')} todos`;
  const api = (name: string, request: string, requests: Request[], c = connections): Scenario => ({
    name,
    request,
    target: 'api',
    connections: c,
    requests,
  });
  return [
    api('root', 'GET /', [{ method: 'GET', path: '/' }]),
    api('list-small', `GET /todos/?limit=100, user with ${smallLabel}`, [
      { method: 'GET', path: '/todos/?limit=100', headers: bearer(tokens.small) },
    ]),
    api('list-big', `GET /todos/?limit=100, user with ${bigLabel}`, [list]),
    ...(compare ? [{ ...api('list-big-b', `the same list on ${compare}`, [list]), target: 'api-b' as const }] : []),
    {
      ...api('floor-list-big', `the floor (node:http + pg, prepared), same list, ${bigLabel}`, [
        { ...list, headers: bearer(tokens.floor) },
      ]),
      target: 'floor',
    },
    api('search-title', `GET /todos/?title=${COMMON_TITLE_SEARCH} (~1.9 % of rows), ${bigLabel}`, [search]),
    api('search-description', `GET /todos/?description=${RARE_DESCRIPTION_SEARCH} (rare), ${bigLabel}`, [rare]),
    // One connection: the search's own latency, without 64 requests queueing for 2 cores.
    api('search-title-1c', `same as search-title, one connection`, [search], 1),
    api('search-description-1c', `same as search-description, one connection`, [rare], 1),
    api('create', 'POST /todos/', [create]),
    { ...api('floor-create', 'the floor, same insert', [{ ...create, headers: floorJson }]), target: 'floor' },
    ...(compare ? [{ ...api('create-b', `the same insert on ${compare}`, [create]), target: 'api-b' as const }] : []),
    api('patch', 'PATCH /todos/{random id}', [patch]),
    { ...api('floor-patch', 'the floor, same update', [{ ...patch, headers: floorJson }]), target: 'floor' },
    ...(compare ? [{ ...api('patch-b', `the same update on ${compare}`, [patch]), target: 'api-b' as const }] : []),
    api('login', 'POST /auth/token, bcrypt cost 12, default login limits', [login], loginConnections),
    ...(compare
      ? [
          {
            ...api('login-b', `the same logins on ${compare}`, [login], loginConnections),
            target: 'api-b' as const,
          },
        ]
      : []),
    api('mixed', '70 % list, 10 % search, 10 % create, 10 % patch', [mixed]),
  ];
}
