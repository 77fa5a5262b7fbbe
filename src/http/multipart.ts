import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import busboy from 'busboy';
import type { Middleware } from 'koa';
import { HttpError } from '../errors.js';

const PARSED_METHODS = new Set(['POST', 'PUT', 'PATCH']);

const tooLarge = () => new HttpError(413, 'Request body too large');
// Starlette's words for a multipart body it cannot read.
const unreadable = () => new HttpError(400, 'There was an error parsing the body');

/** The text fields of a multipart body; file parts are skipped, a repeated name keeps its last value. */
function readFields(req: IncomingMessage, headers: IncomingHttpHeaders, limitBytes: number) {
  return new Promise<Record<string, string>>((resolve, reject) => {
    if (Number(headers['content-length'] ?? 0) > limitBytes) {
      reject(tooLarge());
      return;
    }
    let parser: busboy.Busboy;
    try {
      parser = busboy({ headers, limits: { files: 0, fields: 1000, fieldSize: limitBytes } });
    } catch {
      reject(unreadable()); // no or a malformed boundary
      return;
    }
    // No prototype: a field named __proto__ is just a field.
    const fields = Object.create(null) as Record<string, string>;
    let received = 0;
    const fail = (error: HttpError) => {
      req.unpipe(parser);
      req.resume();
      reject(error);
    };
    // Chunked bodies have no Content-Length: count what arrives.
    req.on('data', (chunk: Buffer) => {
      received += chunk.length;
      if (received > limitBytes) fail(tooLarge());
    });
    parser.on('field', (name, value) => (fields[name] = value));
    parser.on('close', () => resolve(fields));
    parser.on('error', () => fail(unreadable()));
    // A client gone mid-body: busboy would wait for the rest forever, and so would the request.
    req.on('aborted', () => fail(unreadable()));
    req.on('error', () => fail(unreadable()));
    req.pipe(parser);
  });
}

/**
 * multipart/form-data (`curl -F`), which FastAPI's Form() fields accept
 * beside urlencoded. Mounted before the JSON/urlencoded parser, which then
 * leaves the body alone; the same byte limit applies (413 above it).
 */
export function multipartFields(options: { limitBytes: number }): Middleware {
  return async (ctx, next) => {
    if (PARSED_METHODS.has(ctx.method) && ctx.request.body === undefined && ctx.request.is('multipart/form-data')) {
      ctx.request.body = await readFields(ctx.req, ctx.headers, options.limitBytes);
    }
    await next();
  };
}
