import type { Middleware } from 'koa';
import { isConnectionError } from '../db/wait.js';
import { HttpError, RequestValidationError, serviceUnavailable } from '../errors.js';
import { conflictFor } from './conflicts.js';

interface KoaLikeError {
  status?: number;
  statusCode?: number;
  expose?: boolean;
  type?: string;
  message?: string;
}

/** Maps what the client may know about a failure to FastAPI's `{"detail": …}`; undefined for unknown errors. */
function toHttpError(error: unknown): HttpError | undefined {
  if (error instanceof HttpError) return error;
  // co-body marks a body that is not valid JSON (or not an object/array) as a
  // 400 SyntaxError; FastAPI answers that with a 422 json_invalid.
  const koaError = (error ?? {}) as KoaLikeError;
  if (koaError.type === 'entity.parse.failed' || (error instanceof SyntaxError && koaError.status === 400)) {
    return new RequestValidationError([{ loc: ['body'], msg: 'JSON decode error', type: 'json_invalid' }]);
  }
  if (koaError.type === 'entity.too.large') return new HttpError(413, 'Request body too large');
  if (isConnectionError(error)) return serviceUnavailable();
  // A unique violation no route expected still means "conflict", never a 500.
  const conflict = conflictFor(error);
  if (conflict) return conflict;
  const status = koaError.status ?? koaError.statusCode;
  if (typeof status === 'number' && status >= 400 && status < 500 && koaError.expose) {
    return new HttpError(status, koaError.message ?? 'Bad Request');
  }
  return undefined;
}

/**
 * The first middleware: every error ends here as a JSON body. Unknown errors
 * are re-emitted for logging and answered with a generic 500, never their message.
 */
export function errorBoundary(): Middleware {
  return async (ctx, next) => {
    try {
      await next();
      if (ctx.status === 404 && ctx.body === undefined) throw new HttpError(404, 'Not Found');
    } catch (error) {
      const known = toHttpError(error);
      if (known) {
        ctx.status = known.status;
        ctx.set(known.headers);
        ctx.body = { detail: known.detail };
        // A 5xx we answer on purpose (readiness while migrations are pending or shutting down) is
        // a state the access line already shows; one caused by another error (the database gone)
        // is a fault, logged with that error.
        if (known.status >= 500 && known !== error) ctx.app.emit('error', error, ctx);
        return;
      }
      ctx.status = 500;
      ctx.body = { detail: 'Internal Server Error' };
      ctx.app.emit('error', error, ctx);
    }
  };
}
