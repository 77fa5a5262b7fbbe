import { extendZodWithOpenApi } from '@asteasolutions/zod-to-openapi';
import { z } from 'zod';

extendZodWithOpenApi(z);

export { z };

export const INT4_MAX = 2_147_483_647;

/**
 * Text that PostgreSQL can store: `text` columns reject NUL bytes, which
 * would otherwise surface as a database error instead of a 422.
 */
export const text = (max: number, min = 0) =>
  z
    .string()
    .min(min)
    .max(max)
    .refine((value) => !value.includes('\u0000'), { message: 'String must not contain NUL characters' });

/** An integer from a query string or path, parsed strictly as FastAPI does: no "1.5", "0x1" or "". */
export const integerParam = (min: number, max: number) =>
  z.preprocess(
    (value) => (typeof value === 'string' && /^-?\d{1,16}$/.test(value) ? Number(value) : value),
    z.number().int().min(min).max(max),
  );

/**
 * `X | None`, written as FastAPI writes it in OpenAPI 3.1: `anyOf: [X, {type: 'null'}]`.
 * (zod's `.nullable()` on a schema with an id becomes an `allOf` that no null matches.)
 */
export const orNull = <T extends z.ZodType>(schema: T) => z.union([schema, z.null()]);

/** `{"message": "…"}` */
export const Message = z.object({ message: z.string() }).meta({ id: 'Message' });

/** `{"detail": "…"}`, the body of every non-422 error. */
export const HTTPError = z.object({ detail: z.string() }).meta({ id: 'HTTPError' });

/** FastAPI's 422 body. */
export const HTTPValidationError = z
  .object({
    detail: z.array(
      z
        .object({
          loc: z.array(z.union([z.string(), z.number()])),
          msg: z.string(),
          type: z.string(),
        })
        .meta({ id: 'ValidationError' }),
    ),
  })
  .meta({ id: 'HTTPValidationError' });

/** The course's FilterPage: `offset` ≥ 0, `limit` 1–1000 (default 100). */
export const FilterPage = z.object({
  offset: integerParam(0, INT4_MAX).default(0),
  limit: integerParam(1, 1000).default(100),
});
export type FilterPage = z.infer<typeof FilterPage>;

/** A path id: any integer parses (FastAPI's `int`); ids outside int4 simply match no row. */
export const pathId = integerParam(Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER);

/** True when `id` can name a row of a `serial` column. */
export const isStorableId = (id: number) => id >= 1 && id <= INT4_MAX;
