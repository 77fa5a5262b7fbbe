import { UniqueViolationError } from 'objection';
import { HttpError } from '../errors.js';
import type { Conflicts } from './route.js';

/**
 * The database decides uniqueness (a check-then-insert would race into 500s):
 * a unique violation becomes a 409 with the route's message for its
 * constraint, or a plain "Conflict" where no route expected it.
 */
export function conflictFor(error: unknown, conflicts: Conflicts = {}): HttpError | undefined {
  if (!(error instanceof UniqueViolationError)) return undefined;
  const detail = typeof conflicts === 'string' ? conflicts : (conflicts[error.constraint] ?? 'Conflict');
  return new HttpError(409, detail);
}
