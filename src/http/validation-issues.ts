import type { z } from 'zod';
import type { ValidationIssue } from '../errors.js';

export type Location = 'body' | 'query' | 'path';

/**
 * Turns one zod issue into FastAPI/pydantic's `{loc, msg, type}`, so clients
 * written against the course read the same error types and messages.
 */
export function toValidationIssue(location: Location, issue: z.core.$ZodIssue, input: unknown): ValidationIssue {
  const loc = [location, ...issue.path.map((key) => (typeof key === 'symbol' ? String(key) : key))];
  const missing = issue.code === 'invalid_type' && valueAt(input, issue.path) === undefined;
  if (missing) return { loc, msg: 'Field required', type: 'missing' };

  switch (issue.code) {
    case 'invalid_type':
      if (issue.expected === 'number' || issue.expected === 'int') {
        return {
          loc,
          msg: 'Input should be a valid integer, unable to parse string as an integer',
          type: 'int_parsing',
        };
      }
      if (issue.expected === 'string') return { loc, msg: 'Input should be a valid string', type: 'string_type' };
      if (issue.expected === 'object') {
        return {
          loc,
          msg: 'Input should be a valid dictionary or object to extract fields from',
          type: 'model_attributes_type',
        };
      }
      return { loc, msg: issue.message, type: `${issue.expected}_type` };
    case 'too_small':
      if (issue.origin === 'string') {
        return {
          loc,
          msg: `String should have at least ${issue.minimum} character${issue.minimum === 1 ? '' : 's'}`,
          type: 'string_too_short',
        };
      }
      return { loc, msg: `Input should be greater than or equal to ${issue.minimum}`, type: 'greater_than_equal' };
    case 'too_big':
      if (issue.origin === 'string') {
        return {
          loc,
          msg: `String should have at most ${issue.maximum} character${issue.maximum === 1 ? '' : 's'}`,
          type: 'string_too_long',
        };
      }
      return { loc, msg: `Input should be less than or equal to ${issue.maximum}`, type: 'less_than_equal' };
    case 'invalid_value':
      return {
        loc,
        msg: `Input should be ${issue.values
          .map((v) => `'${String(v)}'`)
          .join(', ')
          .replace(/, ([^,]*)$/, ' or $1')}`,
        type: 'enum',
      };
    case 'invalid_format':
      if (issue.format === 'email') return { loc, msg: 'value is not a valid email address', type: 'value_error' };
      return { loc, msg: issue.message, type: 'value_error' };
    case 'invalid_union': {
      // `X | null` (orNull) fails as X does, as pydantic reports a nullable field.
      const nonNull = issue.errors.filter(
        (branch) => !branch.some((inner) => inner.code === 'invalid_type' && inner.expected === 'null'),
      );
      const first = nonNull.length === 1 ? nonNull[0]?.[0] : undefined;
      if (first) return toValidationIssue(location, { ...first, path: [...issue.path, ...first.path] }, input);
      return { loc, msg: issue.message, type: 'value_error' };
    }
    case 'not_multiple_of':
      return {
        loc,
        msg: 'Input should be a valid integer, got a number with a fractional part',
        type: 'int_from_float',
      };
    default:
      return { loc, msg: issue.message, type: 'value_error' };
  }
}

function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let value: unknown = input;
  for (const key of path) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<PropertyKey, unknown>)[key];
  }
  return value;
}
