import { Model } from 'objection';

const now = () => new Date().toISOString();

/** Owns `updated_at`: PostgreSQL's default only covers inserts (knex issue 1928). */
export abstract class TimestampedModel extends Model {
  /** ISO-8601 UTC, as the API returns it (src/db/pg-types.ts). */
  created_at!: string;
  updated_at!: string;

  /** `changes` with `updated_at` moved to now, for an update run through knex rather than Objection. */
  static touched<T extends object>(changes: T): T & { updated_at: string } {
    return { ...changes, updated_at: now() };
  }

  override $beforeUpdate(): void {
    this.updated_at = now();
  }
}
