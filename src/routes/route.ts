import type { RouteConfig } from '@asteasolutions/zod-to-openapi';
import type { ParameterizedContext } from 'koa';
import type { z } from 'zod';
import { RequestValidationError, type ValidationIssue } from '../errors.js';
import type { AuthState } from '../middleware/current-user.js';
import type { User } from '../models/user.js';
import { HTTPError, HTTPValidationError } from '../schemas/common.js';
import { toValidationIssue, type Location } from '../validation-issues.js';

type AnyObject = z.ZodType<Record<string, unknown>>;
type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';

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

export interface Input<P, Q, B> {
  readonly params: P;
  readonly query: Q;
  readonly body: B;
  /** Set on routes with `auth: true`. */
  readonly user: User;
}

/** One endpoint: its contract (validated and documented from the same zod schemas) and its handler. */
export interface Route<P = unknown, Q = unknown, B = unknown> {
  readonly method: Method;
  /** OpenAPI form, e.g. `/users/{user_id}`; served with and without the trailing slash. */
  readonly path: string;
  readonly tag: 'root' | 'users' | 'auth' | 'todos' | 'health';
  readonly summary: string;
  readonly operationId: string;
  readonly auth?: boolean;
  readonly params?: z.ZodType<P>;
  readonly query?: z.ZodType<Q>;
  readonly body?: { readonly schema: z.ZodType<B>; readonly type: 'json' | 'form' };
  readonly status: number;
  readonly response: z.ZodType;
  readonly errors?: readonly number[];
  /** Left out of /openapi.json (the docs pages themselves). */
  readonly hidden?: boolean;
  /** Returns the response body; throws HttpError for the contract's errors. */
  readonly handler: (input: Input<P, Q, B>, ctx: ParameterizedContext<AuthState>) => unknown;
}

/** Keeps the generic types of each route while collecting them in one list. */
export const route = <P, Q, B>(definition: Route<P, Q, B>): Route => definition as unknown as Route;

function parse<T>(location: Location, schema: z.ZodType<T> | undefined, input: unknown, issues: ValidationIssue[]): T {
  if (!schema) return undefined as T;
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  for (const issue of result.error.issues) issues.push(toValidationIssue(location, issue, input));
  return undefined as T;
}

/**
 * The parsed body only when it came in the media type the route declares: a
 * form posted to a JSON route is a missing body (422), as in FastAPI.
 */
function bodyOfExpectedType(definition: Route, ctx: ParameterizedContext): unknown {
  if (!definition.body) return undefined;
  const expected = definition.body.type === 'json' ? 'json' : 'urlencoded';
  return ctx.request.is(expected) ? ctx.request.body : undefined;
}

/** Validates path, query and body at once and reports every problem in one 422, as FastAPI does. */
export function validateInput(definition: Route, ctx: ParameterizedContext & { params?: unknown }) {
  const issues: ValidationIssue[] = [];
  const params = parse('path', definition.params, ctx.params ?? {}, issues);
  const query = parse('query', definition.query, { ...ctx.query }, issues);
  const body = parse('body', definition.body?.schema, bodyOfExpectedType(definition, ctx), issues);
  if (issues.length > 0) throw new RequestValidationError(issues);
  return { params, query, body };
}

/** The route's entry for the OpenAPI registry. */
export function openApiOperation(definition: Route): RouteConfig {
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
  const mediaType = definition.body?.type === 'form' ? 'application/x-www-form-urlencoded' : 'application/json';
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
        ? { body: { required: true, content: { [mediaType]: { schema: definition.body.schema } } } }
        : {}),
    },
    responses,
  };
}
