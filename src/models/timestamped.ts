import { Model } from 'objection';

/** Owns `updated_at`: PostgreSQL's default only covers inserts (knex issue 1928). */
export abstract class TimestampedModel extends Model {
  /** ISO-8601 UTC, as the API returns it (src/db/pg-types.ts). */
  created_at!: string;
  updated_at!: string;

  override $beforeUpdate(): void {
    this.updated_at = new Date().toISOString();
  }
}
