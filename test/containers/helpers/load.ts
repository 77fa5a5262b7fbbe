/**
 * A small, bounded load of the API's real flows — sign in, write a to-do,
 * read the list, change a to-do — from a few concurrent clients, recording
 * every request and every write the API acknowledged.
 */
import { setTimeout as sleep } from 'node:timers/promises';

export interface Sample {
  readonly what: string;
  /** ms since the load started. */
  readonly startedAt: number;
  readonly ms: number;
  /** HTTP status, or the network error's code/message when none came back. */
  readonly outcome: number | string;
  readonly ok: boolean;
}

export interface Account {
  readonly email: string;
  readonly password: string;
}

export interface Load {
  readonly samples: Sample[];
  /** Titles of the to-dos the API answered 201 for. */
  readonly acknowledged: Set<string>;
  /** ms since the load started. */
  now(): number;
  /** Stops the clients after their current request and waits for them. */
  stop(): Promise<void>;
}

const REQUEST_TIMEOUT_MS = 15_000;

/** Starts `accounts.length` clients against `baseUrl`, each signed in as its own account. */
export function startLoad(baseUrl: string, accounts: readonly Account[], { pauseMs = 20 } = {}): Load {
  const started = performance.now();
  const now = () => performance.now() - started;
  const samples: Sample[] = [];
  const acknowledged = new Set<string>();
  let stopping = false;

  async function request(what: string, path: string, init: RequestInit, expected: number): Promise<any> {
    const at = now();
    let outcome: number | string;
    let body: any;
    try {
      const response = await fetch(`${baseUrl}${path}`, { ...init, signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
      outcome = response.status;
      body = await response.json().catch(() => undefined);
    } catch (error) {
      const cause = (error as { cause?: { code?: string; message?: string } }).cause;
      outcome = cause?.code ?? cause?.message ?? String(error);
    }
    const ok = outcome === expected;
    samples.push({ what, startedAt: at, ms: now() - at, outcome, ok });
    return ok ? body : undefined;
  }

  async function client(account: Account, index: number): Promise<void> {
    let round = 0;
    while (!stopping) {
      round += 1;
      const token = await request(
        'login',
        '/auth/token',
        { method: 'POST', body: new URLSearchParams({ username: account.email, password: account.password }) },
        200,
      );
      if (token) {
        const headers = { authorization: `Bearer ${token.access_token}`, 'content-type': 'application/json' };
        // Several requests per sign-in, as a real client keeps its token.
        for (let step = 0; step < 5 && !stopping; step += 1) {
          const title = `c${index}-r${round}-s${step}`;
          const todo = await request(
            'create',
            '/todos/',
            { method: 'POST', headers, body: JSON.stringify({ title, description: 'load', state: 'todo' }) },
            201,
          );
          if (todo) acknowledged.add(title);
          await request('list', '/todos/?limit=20', { headers }, 200);
          if (todo) {
            await request(
              'update',
              `/todos/${todo.id}`,
              { method: 'PATCH', headers, body: JSON.stringify({ state: 'doing' }) },
              200,
            );
          }
          await sleep(pauseMs);
        }
      }
      await sleep(pauseMs);
    }
  }

  const clients = accounts.map((account, index) => client(account, index));
  return {
    samples,
    acknowledged,
    now,
    async stop() {
      stopping = true;
      await Promise.all(clients);
    },
  };
}

/** Count, failures and latency figures of the samples that started in [from, to). */
export function summarise(samples: readonly Sample[], from = 0, to = Infinity) {
  const window = samples.filter((sample) => sample.startedAt >= from && sample.startedAt < to);
  const latencies = window.map((sample) => sample.ms).sort((a, b) => a - b);
  const at = (fraction: number) =>
    latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * fraction))] ?? 0;
  const failures = window.filter((sample) => !sample.ok);
  return {
    requests: window.length,
    failed: failures.length,
    failures: failures
      .slice(0, 20)
      .map((sample) => `${sample.what} → ${sample.outcome} at ${Math.round(sample.startedAt)} ms`),
    p50: at(0.5),
    p99: at(0.99),
    worst: latencies.at(-1) ?? 0,
    worstRequest: window.find((sample) => sample.ms === latencies.at(-1)),
  };
}
