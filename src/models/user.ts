import type { Modifiers } from 'objection';
import { TimestampedModel } from './timestamped.js';

/** What a request knows of the user it is signed in as: all but the password hash. */
const SIGNED_IN_COLUMNS = ['id', 'username', 'email', 'created_at', 'updated_at'];

/** A person who owns todos (the course's `User`). */
export class User extends TimestampedModel {
  static override tableName = 'users';

  id!: number;
  username!: string;
  email!: string;
  /** The bcrypt hash; never leaves the process. */
  password!: string;

  /**
   * `User.query().findById(id)` by way of knex, without the password hash:
   * every authenticated request runs it, and Objection's query runner added a
   * large share to the cost of the lookup itself (bench/RESULTS.md).
   */
  static async byId(id: number): Promise<User | undefined> {
    const [row] = await this.query().select(SIGNED_IN_COLUMNS).where('id', id).toKnexQuery<object>();
    return row && this.fromDatabaseJson(row);
  }

  static override modifiers: Modifiers = {
    paged(query, page: { offset: number; limit: number }) {
      void query.orderBy('id').offset(page.offset).limit(page.limit);
    },
  };
}
