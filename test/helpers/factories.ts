import { randomUUID } from 'node:crypto';
import type { Todo, TodoState } from '../../src/models/todo.js';
import { Todo as TodoModel } from '../../src/models/todo.js';
import { User } from '../../src/models/user.js';
import type { TestApp } from './app.js';

export interface UserFixture {
  readonly id: number;
  readonly username: string;
  readonly email: string;
  /** The plain password, as the course's fixture keeps `clean_password`. */
  readonly password: string;
  readonly token: string;
}

const unique = () => randomUUID().slice(0, 8);

/** Inserts a user (the course's UserFactory) and returns its plain password and a token. */
export async function createUser(
  app: TestApp,
  overrides: Partial<{ username: string; email: string; password: string }> = {},
): Promise<UserFixture> {
  const tag = unique();
  const username = overrides.username ?? `user_${tag}`;
  const email = overrides.email ?? `${username}_${tag}@test.com`;
  const password = overrides.password ?? `secret-${tag}`;
  const user = await User.query().insert({ username, email, password: await app.app.security.hashPassword(password) });
  return { id: user.id, username, email, password, token: app.app.security.createAccessToken(user.id) };
}

/** Inserts todos for a user (the course's TodoFactory). */
export async function createTodos(
  userId: number,
  count: number,
  fields: Partial<{ title: string; description: string; state: TodoState }> = {},
): Promise<Todo[]> {
  const states: TodoState[] = ['draft', 'todo', 'doing', 'done', 'trash'];
  const rows = Array.from({ length: count }, (_, i) => ({
    title: fields.title ?? `title ${unique()}`,
    description: fields.description ?? `description ${unique()}`,
    state: fields.state ?? (states[i % states.length] as TodoState),
    user_id: userId,
  }));
  return TodoModel.query().insert(rows).returning('*');
}
