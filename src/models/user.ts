import type { Modifiers } from 'objection';
import { TimestampedModel } from './timestamped.js';

/** A person who owns todos (the course's `User`). */
export class User extends TimestampedModel {
  static override tableName = 'users';

  id!: number;
  username!: string;
  email!: string;
  /** The bcrypt hash; never leaves the process. */
  password!: string;

  static override modifiers: Modifiers = {
    paged(query, page: { offset: number; limit: number }) {
      void query.orderBy('id').offset(page.offset).limit(page.limit);
    },
  };
}
