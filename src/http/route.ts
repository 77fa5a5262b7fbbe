import type { Middleware, ParameterizedContext } from 'koa';
import type { z } from 'zod';
import type { User } from '../models/user.js';

export type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';

/** What every handler gets: the validated path, query and body. */
export interface Input<P, Q, B> {
  readonly params: P;
  readonly query: Q;
  readonly body: B;
}

/** Koa state on every route: the request id; `user` only once authentication ran. */
export interface RouteState {
  requestId?: string;
  user?: User;
  /** The validated input, for the route's own middleware. */
  input?: Input<unknown, unknown, unknown>;
}

export type RouteContext = ParameterizedContext<RouteState> & { params: Record<string, string> };

/** A unique constraint's name → the 409 detail for it; one string answers them all. */
export type Conflicts = string | Readonly<Record<string, string>>;

interface Contract<P, Q, B, R extends z.ZodType> {
  readonly method: Method;
  /** OpenAPI form, e.g. `/users/{user_id}`; served with and without the trailing slash. */
  readonly path: string;
  readonly tag: 'root' | 'users' | 'auth' | 'todos' | 'health';
  readonly summary: string;
  readonly operationId: string;
  readonly params?: z.ZodType<P>;
  readonly query?: z.ZodType<Q>;
  readonly body?: { readonly schema: z.ZodType<B>; readonly type: 'json' | 'form' };
  readonly status: number;
  readonly response: R;
  /**
   * Error statuses the route itself answers, for the document. The common ones
   * are added where they apply: 401 by `auth`, 413 by a body, 422 by any
   * input, 503 by using the database.
   */
  readonly errors?: readonly number[];
  /** Descriptions of this route's answers where the common one (http/openapi.ts) says too little. */
  readonly describe?: Readonly<Partial<Record<number, string>>>;
  /** False for the routes that never touch the database, and so never answer 503 when it is down. */
  readonly database?: false;
  /** The 409 answers for unique violations this route's writes can raise. */
  readonly conflicts?: Conflicts;
  /** Runs after authentication and validation, around the handler (e.g. login throttling). */
  readonly middleware?: readonly Middleware<RouteState>[];
}

type Output<R extends z.ZodType> = z.input<R> | Promise<z.input<R>>;

/** A route anyone may call: its handler has no user. */
export interface PublicRoute<P, Q, B, R extends z.ZodType> extends Contract<P, Q, B, R> {
  readonly auth?: false;
  /** Returns the response body, typed by `response`; throws HttpError for the contract's errors. */
  readonly handler: (input: Input<P, Q, B>, ctx: RouteContext) => Output<R>;
}

/** A route behind the bearer token: its handler gets the signed-in user. */
export interface AuthRoute<P, Q, B, R extends z.ZodType> extends Contract<P, Q, B, R> {
  readonly auth: true;
  readonly handler: (input: Input<P, Q, B> & { readonly user: User }, ctx: RouteContext) => Output<R>;
}

/** One endpoint: its contract (validated and documented from the same zod schemas) and its handler. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- a list holds routes of every input type
export type Route = PublicRoute<any, any, any, z.ZodType> | AuthRoute<any, any, any, z.ZodType>;

/** Checks one route's handler against its own schemas, then files it in the common list. */
export function route<P = undefined, Q = undefined, B = undefined, R extends z.ZodType = z.ZodType>(
  definition: PublicRoute<P, Q, B, R> | AuthRoute<P, Q, B, R>,
): Route {
  return definition as Route;
}
