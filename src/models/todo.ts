import type { Modifiers } from 'objection';
import { PLANNED_PER_VALUE } from '../db/named-statements.js';
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

const PUBLIC_FIELDS = ['id', 'title', 'description', 'state', 'created_at', 'updated_at'] as const;

/** The columns a todo is answered with (TodoPublic), in the order it lists them. */
export const PUBLIC_COLUMNS: string[] = [...PUBLIC_FIELDS];

/** A todo as the `public` modifier selects it, without the model around it. */
export type TodoRow = Pick<Todo, (typeof PUBLIC_FIELDS)[number]>;

/** A task on a user's list (the course's `Todo`). */
export class Todo extends TimestampedModel {
  static override tableName = 'todos';

  id!: number;
  title!: string;
  description!: string;
  state!: TodoState;
  user_id!: number;

  /**
   * Inserts one todo and returns it as answered. knex under the model's table:
   * Objection's insert builds a model from the input and another from the row,
   * and nothing here needs either (bench/RESULTS.md).
   */
  static async create(fields: Pick<Todo, 'title' | 'description' | 'state' | 'user_id'>): Promise<TodoRow> {
    const [row] = await this.query().toKnexQuery().insert(fields).returning<TodoRow[]>(PUBLIC_COLUMNS);
    return row!;
  }

  static override modifiers: Modifiers = {
    /** Only what the API answers with, in TodoPublic's order: the rows are the answer. */
    public(query) {
      void query.select(PUBLIC_COLUMNS);
    },
    ownedBy(query, userId: number) {
      void query.where('user_id', userId);
    },
    matching(query, filter: TodoFilter) {
      // The trigram index pays or not depending on the pattern: planned for each search's own.
      if (filter.title || filter.description) void query.onBuildKnex((knex) => knex.options(PLANNED_PER_VALUE));
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
