import { text, z } from './common.js';

/** OAuth2PasswordRequestForm: `username` carries the email, as in the course. */
export const TokenForm = z
  .object({
    grant_type: z.literal('password').optional(),
    username: text(1024),
    password: text(1024),
    scope: z.string().optional(),
    client_id: z.string().optional(),
    client_secret: z.string().optional(),
  })
  .meta({ id: 'Body_login_for_access_token' });

export const Token = z.object({ access_token: z.string(), token_type: z.literal('bearer') }).meta({ id: 'Token' });
