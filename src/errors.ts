/** An error whose status and detail are meant for the client, FastAPI's HTTPException. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly detail: unknown,
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(typeof detail === 'string' ? detail : `HTTP ${status}`);
    this.name = 'HttpError';
  }
}

/** One entry of FastAPI's 422 body. */
export interface ValidationIssue {
  readonly loc: readonly (string | number)[];
  readonly msg: string;
  readonly type: string;
}

/** A 422 in FastAPI's `{"detail": [{loc, msg, type}]}` shape. */
export class RequestValidationError extends HttpError {
  constructor(readonly issues: readonly ValidationIssue[]) {
    super(422, issues);
    this.name = 'RequestValidationError';
  }
}

const BEARER = { 'WWW-Authenticate': 'Bearer' };

export const notAuthenticated = () => new HttpError(401, 'Not authenticated', BEARER);
export const invalidCredentials = () => new HttpError(401, 'Could not validate credentials', BEARER);
export const incorrectLogin = () => new HttpError(401, 'Incorrect email or password');
export const notEnoughPermissions = () => new HttpError(403, 'Not enough permissions');
export const userNotFound = () => new HttpError(404, 'User not found');
export const taskNotFound = () => new HttpError(404, 'Task not found.');
// A restarted PostgreSQL or a failed-over replica is usually back within seconds.
const RETRY_AFTER_SECONDS = '5';

/** A 503; every one carries Retry-After, so clients and proxies back off instead of hammering. */
export const serviceUnavailable = (detail = 'Service unavailable') =>
  new HttpError(503, detail, { 'Retry-After': RETRY_AFTER_SECONDS });
