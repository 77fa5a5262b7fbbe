import { Model } from 'objection';

/** Owns `updated_at`: PostgreSQL's default only covers inserts (knex issue 1928). */
export abstract class TimestampedModel extends Model {
  created_at!: Date;
  updated_at!: Date;

  override $beforeUpdate(): void {
    this.updated_at = new Date();
  }
}
