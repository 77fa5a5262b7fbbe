import pg from 'pg';

const TIMESTAMPTZ_OID = 1184;

/** The session time zone every connection asks for, so timestamptz text arrives as `…+00`. */
export const SESSION_TIME_ZONE = 'UTC';

const builtInTimestamptz = pg.types.getTypeParser(TIMESTAMPTZ_OID, 'text') as (text: string) => Date | number;

/**
 * `2026-12-01 04:51:21.123456+00` → `2026-12-01T04:51:21.123Z`, the string
 * `Date#toISOString` gives for it (milliseconds truncated, as `Date` does).
 * Timestamps only ever leave the API as these strings, and parsing each one
 * into a `Date` just to format it again was a large share of a todo page's
 * CPU (bench/RESULTS.md).
 * Anything else (another offset, a BC or five-digit year, `infinity`) takes
 * pg's own parser.
 */
export function timestamptzToIso(text: string): string {
  // `YYYY-MM-DD HH:MM:SS+00` (22 characters), or with `.f` to `.ffffff` before the offset (up to 29).
  const whole = text.length === 22;
  if (text[10] === ' ' && text.endsWith('+00') && (whole || (text[19] === '.' && text.length <= 29))) {
    const fraction = whole ? '' : text.slice(20, -3);
    return `${text.slice(0, 10)}T${text.slice(11, 19)}.${`${fraction}000`.slice(0, 3)}Z`;
  }
  const parsed = builtInTimestamptz(text);
  return parsed instanceof Date && Number.isFinite(parsed.getTime()) ? parsed.toISOString() : text;
}

/** pg's type parsers, with timestamptz read as an ISO-8601 UTC string instead of a `Date`. */
export const pgTypes = {
  getTypeParser(oid: number, format = 'text') {
    if (oid === TIMESTAMPTZ_OID && format === 'text') return timestamptzToIso;
    return pg.types.getTypeParser(oid, format as 'text' | 'binary') as (value: string) => unknown;
  },
};
