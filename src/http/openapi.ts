import { OpenAPIRegistry, OpenApiGeneratorV31, type RouteConfig } from '@asteasolutions/zod-to-openapi';
import type { z } from 'zod';
import { HTTPError, HTTPValidationError } from '../schemas/common.js';
import type { Route } from './route.js';

type AnyObject = z.ZodType<Record<string, unknown>>;

/** Error statuses a route can answer besides 422, each with the body FastAPI gives it. */
const ERROR_DESCRIPTIONS: Record<number, string> = {
  401: 'Not authenticated, or the token is invalid',
  403: 'Not enough permissions',
  404: 'Not found',
  409: 'Conflict',
  413: 'Request body too large',
  429: 'Too many attempts',
  503: 'Database unavailable',
};

/** The route's entry for the OpenAPI registry. */
function openApiOperation(definition: Route): RouteConfig {
  const responses: RouteConfig['responses'] = {
    [definition.status]: {
      description: 'Successful Response',
      content: { 'application/json': { schema: definition.response } },
    },
  };
  const errors = [...(definition.errors ?? [])];
  if (definition.auth && !errors.includes(401)) errors.unshift(401);
  for (const status of errors) {
    responses[status] = {
      description: ERROR_DESCRIPTIONS[status] ?? 'Error',
      content: { 'application/json': { schema: HTTPError } },
    };
  }
  if (definition.params || definition.query || definition.body) {
    responses[422] = {
      description: 'Validation Error',
      content: { 'application/json': { schema: HTTPValidationError } },
    };
  }
  const mediaTypes =
    definition.body?.type === 'form'
      ? ['application/x-www-form-urlencoded', 'multipart/form-data']
      : ['application/json'];
  return {
    method: definition.method,
    path: definition.path,
    tags: [definition.tag],
    summary: definition.summary,
    operationId: definition.operationId,
    ...(definition.auth ? { security: [{ OAuth2PasswordBearer: [] }] } : {}),
    request: {
      ...(definition.params ? { params: definition.params as unknown as AnyObject as never } : {}),
      ...(definition.query ? { query: definition.query as unknown as AnyObject as never } : {}),
      ...(definition.body
        ? {
            body: {
              required: true,
              content: Object.fromEntries(mediaTypes.map((type) => [type, { schema: definition.body?.schema }])),
            },
          }
        : {}),
    },
    responses,
  };
}

const TAGS = [
  { name: 'root', description: 'Hello world' },
  { name: 'users', description: 'Sign up and manage accounts' },
  { name: 'auth', description: 'OAuth2 password flow: get and refresh bearer tokens' },
  { name: 'todos', description: "The signed-in user's tasks" },
  { name: 'health', description: 'Liveness and readiness probes' },
];

/** The OpenAPI 3.1 document, generated from the same route list and zod schemas that serve requests. */
export function buildOpenApiDocument(routes: readonly Route[], version: string) {
  const registry = new OpenAPIRegistry();
  registry.registerComponent('securitySchemes', 'OAuth2PasswordBearer', {
    type: 'oauth2',
    flows: { password: { tokenUrl: '/auth/token', refreshUrl: '/auth/refresh_token', scopes: {} } },
  });
  for (const definition of routes) {
    registry.registerPath(openApiOperation(definition));
  }
  return new OpenApiGeneratorV31(registry.definitions).generateDocument({
    openapi: '3.1.0',
    info: {
      title: 'Fast Zero',
      version,
      description: 'The to-do API of the course "FastAPI do Zero", on Koa, Objection, knex and PostgreSQL.',
    },
    tags: TAGS,
  });
}
