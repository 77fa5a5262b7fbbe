import { TODO_STATES, type TodoRow } from '../models/todo.js';
import { FilterPage, orNull, pathId, text, z } from './common.js';

export const TITLE_MAX = 255;
export const DESCRIPTION_MAX = 2000;

export const TodoState = z.enum(TODO_STATES).meta({ id: 'TodoState' });

export const TodoSchema = z
  .object({ title: text(TITLE_MAX), description: text(DESCRIPTION_MAX), state: TodoState })
  .meta({ id: 'TodoSchema' });
export type TodoSchema = z.infer<typeof TodoSchema>;

/** Every field optional and nullable; absent and null both mean "leave it as it is". */
export const TodoUpdate = z
  .object({
    title: orNull(text(TITLE_MAX)).optional(),
    description: orNull(text(DESCRIPTION_MAX)).optional(),
    state: orNull(TodoState).optional(),
  })
  .meta({ id: 'TodoUpdate' });

export const TodoPublic = z
  .object({
    id: z.number().int(),
    title: z.string(),
    description: z.string(),
    state: TodoState,
    created_at: z.iso.datetime(),
    updated_at: z.iso.datetime(),
  })
  .meta({ id: 'TodoPublic' });

export const TodoList = z.object({ todos: z.array(TodoPublic) }).meta({ id: 'TodoList' });

/** The course's FilterTodo: text filters of 3 to 20 characters, matched as substrings. */
export const FilterTodo = FilterPage.extend({
  title: text(20, 3).optional(),
  description: text(20, 3).optional(),
  state: TodoState.optional(),
});

export const TodoIdParams = z.object({ todo_id: pathId });

/** TodoPublic from a row, timestamps already ISO-8601 UTC strings (db/pg-types.ts). */
export const todoPublic = ({ id, title, description, state, created_at, updated_at }: TodoRow) => ({
  id,
  title,
  description,
  state,
  created_at,
  updated_at,
});
