import type { Middleware } from 'koa';
import { invalidCredentials, notAuthenticated } from '../errors.js';
import { User } from '../models/user.js';
import type { RouteState } from '../http/route.js';
import type { Security } from '../security.js';

/** Reads `Authorization: Bearer <token>` like FastAPI's OAuth2PasswordBearer + get_current_user. */
export function currentUser(security: Security): Middleware<RouteState> {
  return async (ctx, next) => {
    const header = ctx.get('Authorization');
    const [scheme, token] = header.split(' ', 2);
    if (!header || scheme?.toLowerCase() !== 'bearer') throw notAuthenticated();
    const userId = token ? security.readUserId(token.trim()) : undefined;
    // A valid token whose user was deleted is as bad as a forged one.
    const user = userId === undefined ? undefined : await User.byId(userId);
    if (!user) throw invalidCredentials();
    ctx.state.user = user;
    await next();
  };
}
