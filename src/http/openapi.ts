import {
  OpenAPIRegistry,
  OpenApiGeneratorV31,
  type ResponseConfig,
  type RouteConfig,
} from '@asteasolutions/zod-to-openapi';
import type { z } from 'zod';
import { HTTPError, HTTPValidationError } from '../schemas/common.js';
import type { Route } from './route.js';

type AnyObject = z.ZodType<Record<string, unknown>>;

/** What each error status means, unless the route's `describe` says more. */
const DESCRIPTIONS: Record<number, string> = {
  401: 'Not authenticated: the bearer token is missing, invalid or expired, or its user no longer exists',
  403: 'Not enough permissions',
  404: 'Not found',
  409: 'Conflict',
  413: 'Request body too large (over BODY_LIMIT_KB)',
  422: 'Validation Error',
  429: 'Too many requests; try again after Retry-After seconds',
  503: 'Service unavailable: the database cannot be reached; try again after Retry-After seconds',
};

/** The response headers, declared once and referenced by every response that carries them. */
const HEADERS = {
  'X-Request-Id': {
    description:
      "This request's id, also in the server's log line for it: the client's own X-Request-Id " +
      'when it is 1 to 128 letters, digits or `_.:-`, else a new UUID',
    required: true,
    schema: { type: 'string', minLength: 1, maxLength: 128 },
  },
  'Retry-After': {
    description: 'Seconds to wait before trying again',
    required: true,
    schema: { type: 'integer', minimum: 1 },
  },
  'WWW-Authenticate': {
    description: 'How to authenticate: with a bearer token from POST /auth/token',
    required: true,
    schema: { type: 'string', const: 'Bearer' },
  },
} as const;

type HeaderName = keyof typeof HEADERS;
const headerRef = (name: HeaderName) => ({ $ref: `#/components/headers/${name}` });

/** Every status the route can answer: its own, and the common ones its contract implies. */
function statusesOf(definition: Route): number[] {
  const statuses = new Set(definition.errors);
  if (definition.auth) statuses.add(401);
  if (definition.body) statuses.add(413);
  if (definition.params || definition.query || definition.body) statuses.add(422);
  // Authentication itself reads the user from the database.
  if (definition.auth || definition.database !== false) statuses.add(503);
  return [definition.status, ...[...statuses].sort((a, b) => a - b)];
}

/** One response: its body schema and the headers the server sends with it. */
function response(definition: Route, status: number): ResponseConfig {
  const headers: HeaderName[] = ['X-Request-Id'];
  // Only the bearer-token 401 challenges; the login's "wrong credentials" 401 does not (as in the course).
  if (status === 401 && definition.auth) headers.push('WWW-Authenticate');
  if (status === 429 || status === 503) headers.push('Retry-After');
  const success = status === definition.status;
  const schema = success ? definition.response : status === 422 ? HTTPValidationError : HTTPError;
  return {
    description: definition.describe?.[status] ?? (success ? 'Successful Response' : (DESCRIPTIONS[status] ?? 'Error')),
    headers: Object.fromEntries(headers.map((name) => [name, headerRef(name)])),
    content: { 'application/json': { schema } },
  };
}

/** The route's entry for the OpenAPI registry. */
function openApiOperation(definition: Route): RouteConfig {
  const mediaType = definition.body?.type === 'form' ? 'application/x-www-form-urlencoded' : 'application/json';
  return {
    method: definition.method,
    path: definition.path,
    tags: [definition.tag],
    summary: definition.summary,
    operationId: definition.operationId,
    // Explicit on public routes too: an operation without `security` inherits the document's default.
    security: definition.auth ? [{ OAuth2PasswordBearer: [] }] : [],
    request: {
      ...(definition.params ? { params: definition.params as unknown as AnyObject as never } : {}),
      ...(definition.query ? { query: definition.query as unknown as AnyObject as never } : {}),
      ...(definition.body
        ? { body: { required: true, content: { [mediaType]: { schema: definition.body.schema } } } }
        : {}),
    },
    responses: Object.fromEntries(statusesOf(definition).map((status) => [status, response(definition, status)])),
  };
}

const TAGS = [
  { name: 'root', description: 'Hello world' },
  { name: 'users', description: 'Sign up and manage accounts' },
  { name: 'auth', description: 'OAuth2 password flow: get and refresh bearer tokens' },
  { name: 'todos', description: "The signed-in user's tasks" },
  { name: 'health', description: 'Liveness and readiness probes' },
];

// 405s are told here rather than written as operations of their own: a client
// generated from the document would get a method for every call that cannot succeed.
const DESCRIPTION = `The to-do API of the course "FastAPI do Zero", on Koa, Objection, knex and PostgreSQL.

Every response carries \`X-Request-Id\`. A method that a path does not list answers
**405** \`{"detail": "Method Not Allowed"}\` with an \`Allow\` header naming the methods
the path serves (HEAD wherever GET is); OPTIONS answers 200 with the same \`Allow\` header.`;

/** The OpenAPI 3.1 document, generated from the same route list and zod schemas that serve requests. */
export function buildOpenApiDocument(routes: readonly Route[], version: string) {
  const registry = new OpenAPIRegistry();
  registry.registerComponent('securitySchemes', 'OAuth2PasswordBearer', {
    type: 'oauth2',
    flows: { password: { tokenUrl: '/auth/token', refreshUrl: '/auth/refresh_token', scopes: {} } },
  });
  for (const [name, header] of Object.entries(HEADERS)) registry.registerComponent('headers', name, header);
  for (const definition of routes) {
    registry.registerPath(openApiOperation(definition));
  }
  return new OpenApiGeneratorV31(registry.definitions).generateDocument({
    openapi: '3.1.0',
    info: { title: 'Fast Zero', version, description: DESCRIPTION },
    // Relative: the API is wherever this document was served from.
    servers: [{ url: '/', description: 'The server that served this document' }],
    tags: TAGS,
  });
}
