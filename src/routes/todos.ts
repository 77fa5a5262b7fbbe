import { taskNotFound } from '../errors.js';
import { PUBLIC_COLUMNS, Todo, type TodoRow } from '../models/todo.js';
import { isStorableId, Message } from '../schemas/common.js';
import { route } from '../http/route.js';
import {
  FilterTodo,
  TodoIdParams,
  TodoList,
  TodoPublic,
  TodoSchema,
  TodoUpdate,
  todoPublic,
} from '../schemas/todos.js';

/** Drops absent and null fields: PATCH changes only what was sent (`exclude_unset`). */
function definedFields<T extends object>(patch: T): Partial<{ [K in keyof T]: NonNullable<T[K]> }> {
  return Object.fromEntries(
    Object.entries(patch).filter(([, value]) => value !== undefined && value !== null),
  ) as never;
}

/** The caller's todos with this id: none, and the same 404, whether it does not exist or is someone else's. */
const ownTodo = (todoId: number, userId: number) =>
  Todo.query()
    .modify('ownedBy', userId)
    .where('id', isStorableId(todoId) ? todoId : 0);

/** routers/todos.py */
export function todoRoutes() {
  return [
    route({
      method: 'post',
      path: '/todos/',
      tag: 'todos',
      summary: 'Create Todo',
      operationId: 'create_todo',
      auth: true,
      body: { schema: TodoSchema, type: 'json' },
      status: 201,
      response: TodoPublic,
      async handler({ body, user }) {
        return Todo.create({ ...body, user_id: user.id });
      },
    }),
    route({
      method: 'get',
      path: '/todos/',
      tag: 'todos',
      summary: 'List Todos',
      operationId: 'list_todos',
      auth: true,
      query: FilterTodo,
      status: 200,
      response: TodoList,
      async handler({ query, user }) {
        // Rows, not models: nothing here needs a Todo instance, and building a page of them through
        // Objection's runner, then copying each into TodoPublic's shape, were a measurable share of
        // the page's CPU (bench/RESULTS.md). The query is still the model's; `public` selects
        // exactly TodoPublic's fields.
        const todos: TodoRow[] = await Todo.query()
          .modify('public')
          .modify('ownedBy', user.id)
          .modify('matching', query)
          .modify('paged', query)
          .toKnexQuery();
        return { todos };
      },
    }),
    route({
      method: 'patch',
      path: '/todos/{todo_id}',
      tag: 'todos',
      summary: 'Patch Todo',
      operationId: 'patch_todo',
      auth: true,
      params: TodoIdParams,
      body: { schema: TodoUpdate, type: 'json' },
      status: 200,
      response: TodoPublic,
      errors: [404],
      describe: { 404: 'Task not found: no such todo among yours' },
      async handler({ params, body, user }) {
        const changes = definedFields(body);
        // Nothing to change: no UPDATE, so updated_at stays put (the course's ORM issues none either).
        if (Object.keys(changes).length === 0) {
          const todo = await ownTodo(params.todo_id, user.id).first();
          if (!todo) throw taskNotFound();
          return todoPublic(todo);
        }
        // One round trip: the update itself tells whether the todo is the caller's. Through knex under
        // the model: Objection's patch builds a model from the changes and more from the rows, and
        // nothing here needs them (bench/RESULTS.md).
        const [updated] = await ownTodo(params.todo_id, user.id)
          .toKnexQuery()
          .update(Todo.touched(changes))
          .returning<TodoRow[]>(PUBLIC_COLUMNS);
        if (!updated) throw taskNotFound();
        return updated;
      },
    }),
    route({
      method: 'delete',
      path: '/todos/{todo_id}',
      tag: 'todos',
      summary: 'Delete Todo',
      operationId: 'delete_todo',
      auth: true,
      params: TodoIdParams,
      status: 200,
      response: Message,
      errors: [404],
      describe: { 404: 'Task not found: no such todo among yours' },
      async handler({ params, user }) {
        const deleted = await ownTodo(params.todo_id, user.id).delete();
        if (deleted === 0) throw taskNotFound();
        return { message: 'Task has been deleted successfully.' };
      },
    }),
  ];
}
