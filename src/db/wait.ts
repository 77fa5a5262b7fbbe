import pg from 'pg';

// Errors that mean "the server is not there yet", as opposed to a wrong
// password, a missing database or a broken migration, which retrying hides.
const TRANSIENT_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  '57P03', // cannot_connect_now: the server is starting up or shutting down
  '57P01', // admin_shutdown
]);

/** True when an error says PostgreSQL is unreachable rather than refusing us. */
export function isConnectionError(error: unknown): boolean {
  if (!error || typeof error !== 'object') return false;
  const { code, message, name } = error as { code?: unknown; message?: unknown; name?: unknown };
  if (typeof code === 'string' && (TRANSIENT_CODES.has(code) || code.startsWith('08'))) return true;
  if (name === 'KnexTimeoutError') return true;
  return typeof message === 'string' && /Connection terminated|timeout expired|connect ETIMEDOUT/i.test(message);
}

export interface WaitOptions {
  readonly url: string;
  /** Give up after this long; 0 means one attempt. */
  readonly seconds: number;
  readonly log: (message: string) => void;
  readonly sleep?: (ms: number) => Promise<void>;
}

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Waits until PostgreSQL answers `select 1`, with capped exponential backoff.
 * Throws the last connection error when time runs out, and any other error at once.
 */
export async function waitForDatabase({ url, seconds, log, sleep = defaultSleep }: WaitOptions): Promise<void> {
  const deadline = Date.now() + seconds * 1000;
  let delay = 250;
  for (let attempt = 1; ; attempt++) {
    const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3000 });
    client.on('error', () => {});
    try {
      await client.connect();
      await client.query('select 1');
      if (attempt > 1) log(`database is up after ${attempt} attempts`);
      return;
    } catch (error) {
      if (!isConnectionError(error)) throw error;
      const reason = (error as Error).message || (error as { code?: string }).code || 'unknown error';
      if (Date.now() + delay > deadline) {
        throw new Error(`database not reachable after ${seconds}s (${attempt} attempts): ${reason}`, { cause: error });
      }
      log(`database not reachable (attempt ${attempt}: ${reason}); retrying in ${delay} ms`);
      await sleep(delay);
      delay = Math.min(delay * 2, 2000);
    } finally {
      await client.end().catch(() => {});
    }
  }
}
