import autocannon from 'autocannon';
import { cpuBetween } from './cpu.js';
import type { ServerProcess } from './processes.js';
import type { Scenario } from './scenarios.js';

/** CPU µs per request of the server, of its PostgreSQL backends, and of both; undefined where not measured. */
export function cpuPerRequest(m: Measurement): { server?: number; backends?: number; total?: number } {
  if (!m.cpu || m.requests === 0) return {};
  const perRequest = (ms: number) => (ms * 1000) / m.requests;
  const server = perRequest(m.cpu.serverMs);
  if (m.cpu.backendsMs === undefined) return { server };
  const backends = perRequest(m.cpu.backendsMs);
  return { server, backends, total: server + backends };
}

/** One row of the table. */
export interface Measurement {
  readonly scenario: Scenario;
  readonly requestsPerSecond: number;
  readonly latencyMs: { readonly p50: number; readonly p97_5: number; readonly p99: number };
  /** Non-2xx answers plus socket errors and timeouts. */
  readonly errors: number;
  readonly requests: number;
  /** Largest VmRSS seen while the load ran, in bytes. */
  readonly rssMax: number | undefined;
  readonly eventLoopDelayP99Ms: number | undefined;
  /**
   * CPU used over the run, in ms, by the server's process tree and by its
   * PostgreSQL backends: per request, steadier than req/s when other tenants take cores.
   */
  readonly cpu: { readonly serverMs: number; readonly backendsMs: number | undefined } | undefined;
}

const RSS_SAMPLE_MS = 100;
const SLICE_WARM_UP_SECONDS = 1;

/** Drives `server` with the scenario for `seconds`, sampling the server's memory and event loop meanwhile. */
export async function measure(server: ServerProcess, scenario: Scenario, seconds: number): Promise<Measurement> {
  let rssMax: number | undefined;
  const sample = async () => {
    const rss = await server.rss();
    if (rss !== undefined) rssMax = Math.max(rssMax ?? 0, rss);
  };
  await server.resetEventLoopDelay();
  const cpuBefore = await server.cpu();
  const sampler = setInterval(() => void sample(), RSS_SAMPLE_MS);
  let result: autocannon.Result;
  try {
    result = await autocannon({
      url: server.url,
      connections: scenario.connections,
      duration: seconds,
      requests: scenario.requests,
      timeout: 10,
    });
  } finally {
    clearInterval(sampler);
  }
  await sample();
  const cpuAfter = await server.cpu();
  const delay = await server.eventLoopDelay();
  return {
    scenario,
    requestsPerSecond: result.requests.total / seconds,
    latencyMs: { p50: result.latency.p50, p97_5: result.latency.p97_5, p99: result.latency.p99 },
    errors: result.non2xx + result.errors,
    requests: result.requests.total,
    rssMax,
    eventLoopDelayP99Ms: delay?.p99,
    cpu: cpuBefore && cpuAfter ? cpuBetween(cpuBefore, cpuAfter) : undefined,
  };
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

/** Several runs of one scenario as one row: summed counts, worst memory and delay, median latencies. */
function combine(parts: readonly Measurement[], seconds: number): Measurement {
  const requests = parts.reduce((sum, m) => sum + m.requests, 0);
  const worst = (values: (number | undefined)[]) =>
    values.every((v) => v === undefined) ? undefined : Math.max(...values.map((v) => v ?? 0));
  return {
    scenario: parts[0]!.scenario,
    requestsPerSecond: requests / seconds,
    latencyMs: {
      p50: median(parts.map((m) => m.latencyMs.p50)),
      p97_5: median(parts.map((m) => m.latencyMs.p97_5)),
      p99: median(parts.map((m) => m.latencyMs.p99)),
    },
    errors: parts.reduce((sum, m) => sum + m.errors, 0),
    requests,
    rssMax: worst(parts.map((m) => m.rssMax)),
    eventLoopDelayP99Ms: worst(parts.map((m) => m.eventLoopDelayP99Ms)),
    cpu: parts.every((m) => m.cpu !== undefined)
      ? {
          serverMs: parts.reduce((sum, m) => sum + m.cpu!.serverMs, 0),
          backendsMs: parts.every((m) => m.cpu!.backendsMs !== undefined)
            ? parts.reduce((sum, m) => sum + m.cpu!.backendsMs!, 0)
            : undefined,
        }
      : undefined,
  };
}

/**
 * Runs scenarios in alternating slices (a, b, c, a, b, c, …) so that load from
 * other tenants of a shared machine falls on all alike: their ratios are the
 * figures that matter, and back-to-back runs would let a noisy minute pick a side.
 */
export async function measureAlternating(
  runs: readonly { server: ServerProcess; scenario: Scenario }[],
  seconds: number,
  rounds: number,
): Promise<Measurement[]> {
  const slice = Math.max(1, Math.round(seconds / rounds));
  const parts = runs.map((): Measurement[] => []);
  for (let round = 0; round < rounds; round++) {
    for (const [i, run] of runs.entries()) {
      // The others' slices left this server idle for seconds: an unrecorded second first, so each
      // recorded slice measures a server under load, not one waking up (its p99 showed it).
      await warmUp(run.server, run.scenario, SLICE_WARM_UP_SECONDS);
      parts[i]!.push(await measure(run.server, run.scenario, slice));
    }
  }
  return parts.map((part) => combine(part, slice * rounds));
}

/** A short unrecorded run, so the JIT and the pools are warm before anything is measured. */
export async function warmUp(server: ServerProcess, scenario: Scenario, seconds: number): Promise<void> {
  await autocannon({
    url: server.url,
    connections: scenario.connections,
    duration: seconds,
    requests: scenario.requests,
  });
}
