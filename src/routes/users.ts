import { notEnoughPermissions, userNotFound } from '../errors.js';
import { route } from '../http/route.js';
import { User } from '../models/user.js';
import { FilterPage, isStorableId, Message } from '../schemas/common.js';
import { UserIdParams, UserList, UserPublic, UserSchema, userPublic } from '../schemas/users.js';
import type { RouteDeps } from './index.js';

// The constraint names come from the users migration; the course answers sign-up and update differently.
const SIGN_UP_CONFLICTS = {
  users_username_unique: 'Username already exists',
  users_email_unique: 'Email already exists',
};
const UPDATE_CONFLICT = 'Username or Email already exists';

/** routers/users.py */
export function userRoutes({ security, signupThrottle }: Pick<RouteDeps, 'security' | 'signupThrottle'>) {
  return [
    route({
      method: 'post',
      path: '/users/',
      tag: 'users',
      summary: 'Create User',
      operationId: 'create_user',
      body: { schema: UserSchema, type: 'json' },
      status: 201,
      response: UserPublic,
      errors: [409, 429],
      describe: {
        409: 'Username already exists, or Email already exists',
        429: 'Too many sign-ups from this address; try again after Retry-After seconds',
      },
      conflicts: SIGN_UP_CONFLICTS,
      middleware: signupThrottle,
      async handler({ body }) {
        const password = await security.hashPassword(body.password);
        const user = await User.query().insert({ username: body.username, email: body.email, password });
        return userPublic(user);
      },
    }),
    route({
      method: 'get',
      path: '/users/',
      tag: 'users',
      summary: 'Read Users',
      operationId: 'read_users',
      query: FilterPage,
      status: 200,
      response: UserList,
      async handler({ query }) {
        const users = await User.query().select('id', 'username', 'email').modify('paged', query);
        return { users: users.map(userPublic) };
      },
    }),
    route({
      method: 'get',
      path: '/users/{user_id}',
      tag: 'users',
      summary: 'Read User',
      operationId: 'read_user',
      params: UserIdParams,
      status: 200,
      response: UserPublic,
      errors: [404],
      describe: { 404: 'User not found' },
      async handler({ params }) {
        const user = isStorableId(params.user_id) ? await User.query().findById(params.user_id) : undefined;
        if (!user) throw userNotFound();
        return userPublic(user);
      },
    }),
    route({
      method: 'put',
      path: '/users/{user_id}',
      tag: 'users',
      summary: 'Update User',
      operationId: 'update_user',
      auth: true,
      params: UserIdParams,
      body: { schema: UserSchema, type: 'json' },
      status: 200,
      response: UserPublic,
      errors: [403, 409],
      describe: { 403: 'Not enough permissions: not your account', 409: 'Username or Email already exists' },
      conflicts: UPDATE_CONFLICT,
      async handler({ params, body, user }) {
        if (user.id !== params.user_id) throw notEnoughPermissions();
        const password = await security.hashPassword(body.password);
        const updated = await user.$query().patchAndFetch({ username: body.username, email: body.email, password });
        return userPublic(updated);
      },
    }),
    route({
      method: 'delete',
      path: '/users/{user_id}',
      tag: 'users',
      summary: 'Delete User',
      operationId: 'delete_user',
      auth: true,
      params: UserIdParams,
      status: 200,
      response: Message,
      errors: [403],
      describe: { 403: 'Not enough permissions: not your account' },
      async handler({ params, user }) {
        if (user.id !== params.user_id) throw notEnoughPermissions();
        // The todos go with it: ON DELETE CASCADE.
        await user.$query().delete();
        return { message: 'User deleted' };
      },
    }),
  ];
}
