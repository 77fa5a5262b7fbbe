import type { User } from '../models/user.js';
import { pathId, text, z } from './common.js';

/** bcrypt only reads the first 72 bytes; longer passwords are refused rather than silently cut. */
export const PASSWORD_MAX_BYTES = 72;
export const USERNAME_MAX = 100;
export const EMAIL_MAX = 254;

const password = text(1024, 1)
  .refine((value) => Buffer.byteLength(value, 'utf8') <= PASSWORD_MAX_BYTES, {
    message: `Password must be at most ${PASSWORD_MAX_BYTES} bytes in UTF-8`,
  })
  .meta({ format: 'password', description: `1 to ${PASSWORD_MAX_BYTES} bytes in UTF-8 (bcrypt's limit)` });

export const UserSchema = z
  .object({
    username: text(USERNAME_MAX, 1),
    email: z.email().max(EMAIL_MAX),
    password,
  })
  .meta({ id: 'UserSchema' });
export type UserSchema = z.infer<typeof UserSchema>;

export const UserPublic = z
  .object({ id: z.number().int(), username: z.string(), email: z.string() })
  .meta({ id: 'UserPublic' });

export const UserList = z.object({ users: z.array(UserPublic) }).meta({ id: 'UserList' });

export const UserIdParams = z.object({ user_id: pathId });

/** UserPublic from a model or row: never the password hash. */
export const userPublic = ({ id, username, email }: Pick<User, 'id' | 'username' | 'email'>) => ({
  id,
  username,
  email,
});
