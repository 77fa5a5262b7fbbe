import type { ParameterizedContext } from 'koa';
import type { z } from 'zod';
import { RequestValidationError, type ValidationIssue } from '../errors.js';
import type { Input, Route } from './route.js';
import { toValidationIssue, type Location } from './validation-issues.js';

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
export function validateInput(
  definition: Route,
  ctx: ParameterizedContext & { params?: unknown },
): Input<unknown, unknown, unknown> {
  const issues: ValidationIssue[] = [];
  const params: unknown = parse('path', definition.params, ctx.params ?? {}, issues);
  const query: unknown = parse('query', definition.query, { ...ctx.query }, issues);
  const body: unknown = parse('body', definition.body?.schema, bodyOfExpectedType(definition, ctx), issues);
  if (issues.length > 0) throw new RequestValidationError(issues);
  return { params, query, body };
}
