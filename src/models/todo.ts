import type { Modifiers } from 'objection';
import { TimestampedModel } from './timestamped.js';

export const TODO_STATES = ['draft', 'todo', 'doing', 'done', 'trash'] as const;
export type TodoState = (typeof TODO_STATES)[number];

export interface TodoFilter {
  readonly title?: string | undefined;
  readonly description?: string | undefined;
  readonly state?: TodoState | undefined;
}

/** `%`, `_` and `\` are literal characters in a search, never LIKE wildcards. */
export function likeContaining(text: string): string {
  return `%${text.replace(/[\\%_]/g, (char) => `\\${char}`)}%`;
}

/** A todo's columns as the database returns them, without the model around them. */
export type TodoRow = Pick<Todo, 'id' | 'title' | 'description' | 'state' | 'user_id' | 'created_at' | 'updated_at'>;

/** A task on a user's list (the course's `Todo`). */
export class Todo extends TimestampedModel {
  static override tableName = 'todos';

  id!: number;
  title!: string;
  description!: string;
  state!: TodoState;
  user_id!: number;

  static override modifiers: Modifiers = {
    ownedBy(query, userId: number) {
      void query.where('user_id', userId);
    },
    matching(query, filter: TodoFilter) {
      // Case-sensitive LIKE, as the course's `Todo.title.contains(...)`, with an explicit escape.
      if (filter.title) void query.whereRaw(`title like ? escape '\\'`, [likeContaining(filter.title)]);
      if (filter.description) {
        void query.whereRaw(`description like ? escape '\\'`, [likeContaining(filter.description)]);
      }
      if (filter.state) void query.where('state', filter.state);
    },
    paged(query, page: { offset: number; limit: number }) {
      void query.orderBy('id').offset(page.offset).limit(page.limit);
    },
  };
}
