import { incorrectLogin } from '../errors.js';
import { User } from '../models/user.js';
import { Token, TokenForm } from '../schemas/auth.js';
import { route } from '../http/route.js';
import type { RouteDeps } from './index.js';

/** routers/auth.py */
export function authRoutes({ security, loginProtection }: Pick<RouteDeps, 'security' | 'loginProtection'>) {
  const tokenFor = (user: User) => ({
    access_token: security.createAccessToken(user.id),
    token_type: 'bearer' as const,
  });

  return [
    route({
      method: 'post',
      path: '/auth/token',
      tag: 'auth',
      summary: 'Login For Access Token',
      operationId: 'login_for_access_token',
      body: { schema: TokenForm, type: 'form' },
      status: 200,
      response: Token,
      errors: [401, 429],
      describe: {
        401: 'Incorrect email or password',
        429: 'Too many failed logins for this account or from this address; try again after Retry-After seconds',
      },
      middleware: [loginProtection.middleware],
      async handler({ body }) {
        const user = await User.query().findOne({ email: body.username });
        // Always one bcrypt comparison, so an unknown email answers as slowly as a wrong password.
        const valid = await security.verifyPassword(body.password, user?.password);
        if (!user || !valid) throw incorrectLogin();
        return tokenFor(user);
      },
    }),
    route({
      method: 'post',
      path: '/auth/refresh_token',
      tag: 'auth',
      summary: 'Refresh Access Token',
      operationId: 'refresh_access_token',
      auth: true,
      status: 200,
      response: Token,
      handler: ({ user }) => tokenFor(user),
    }),
  ];
}
