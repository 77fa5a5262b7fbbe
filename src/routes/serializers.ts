import type { TodoRow } from '../models/todo.js';
import type { User } from '../models/user.js';

/** UserPublic: never the password hash. */
export const userPublic = ({ id, username, email }: User) => ({ id, username, email });

/** TodoPublic, with ISO-8601 UTC timestamps. */
export const todoPublic = ({ id, title, description, state, created_at, updated_at }: TodoRow) => ({
  id,
  title,
  description,
  state,
  created_at,
  updated_at,
});
