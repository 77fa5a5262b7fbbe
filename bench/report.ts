import { cpuPerRequest, type Measurement } from './load.js';
import { floorPairs, targets } from './targets.js';

const mb = (bytes: number | undefined) => (bytes === undefined ? 'n/a' : `${(bytes / 2 ** 20).toFixed(0)} MB`);
const us = (value: number | undefined) => (value === undefined ? 'n/a' : value.toFixed(0));
const ms = (value: number | undefined) => (value === undefined ? 'n/a' : `${value.toFixed(value < 10 ? 1 : 0)}`);

/** The results as a Markdown table, so the README can take it as printed. */
export function table(measurements: readonly Measurement[]): string {
  const header = [
    'scenario',
    'request',
    'conns',
    'req/s',
    'p50 ms',
    'p97.5 ms',
    'p99 ms',
    'errors',
    'RSS max',
    'ELD p99 ms',
    'server µs/req',
    'PG µs/req',
    'total µs/req',
  ];
  const rows = measurements.map((m) => [
    m.scenario.name,
    m.scenario.request,
    String(m.scenario.connections),
    m.requestsPerSecond.toFixed(0),
    ms(m.latencyMs.p50),
    ms(m.latencyMs.p97_5),
    ms(m.latencyMs.p99),
    `${m.errors}/${m.requests}`,
    mb(m.rssMax),
    ms(m.eventLoopDelayP99Ms),
    ...((cpu) => [us(cpu.server), us(cpu.backends), us(cpu.total)])(cpuPerRequest(m)),
  ]);
  const widths = header.map((title, i) => Math.max(title.length, ...rows.map((row) => row[i]!.length)));
  const line = (cells: string[]) => `| ${cells.map((cell, i) => cell.padEnd(widths[i]!)).join(' | ')} |`;
  return [line(header), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...rows.map(line)].join('\n');
}

interface Verdict {
  readonly target: string;
  /** undefined: the run could not measure it (e.g. no /proc access to a remote API or database). */
  readonly met: boolean | undefined;
  readonly detail: string;
}

/**
 * The API against the floor on the same endpoint: efficiency (floor CPU per
 * request ÷ ours, server + PostgreSQL backends) judged, throughput printed
 * beside it; and p99 against the floor's.
 */
function floorVerdicts(label: string, api: Measurement, floor: Measurement): Verdict[] {
  const ours = cpuPerRequest(api);
  const theirs = cpuPerRequest(floor);
  const throughput =
    `throughput ${(api.requestsPerSecond / floor.requestsPerSecond).toFixed(2)} × ` +
    `(${api.requestsPerSecond.toFixed(0)} vs ${floor.requestsPerSecond.toFixed(0)} req/s)`;
  const efficiency: Verdict =
    ours.total !== undefined && theirs.total !== undefined
      ? {
          target: `${label}: efficiency ≥ ${targets.floorEfficiency} × the floor`,
          met: theirs.total / ours.total >= targets.floorEfficiency,
          detail:
            `${(theirs.total / ours.total).toFixed(2)} × by CPU per request ` +
            `(${us(ours.total)} vs ${us(theirs.total)} µs: server ${us(ours.server)} vs ${us(theirs.server)}, ` +
            `PostgreSQL ${us(ours.backends)} vs ${us(theirs.backends)}); ${throughput}`,
        }
      : { target: `${label}: efficiency ≥ ${targets.floorEfficiency} × the floor`, met: undefined, detail: throughput };
  const p99 = api.latencyMs.p99 / floor.latencyMs.p99;
  return [
    efficiency,
    {
      target: `${label}: p99 ≤ ${targets.floorP99Factor} × the floor's at ${api.scenario.connections} connections`,
      met: p99 <= targets.floorP99Factor,
      detail: `${p99.toFixed(2)} × (${api.latencyMs.p99} vs ${floor.latencyMs.p99} ms)`,
    },
  ];
}

/** Each target (bench/targets.ts) against this run's figures; left out when the run did not measure it. */
export function verdicts(measurements: readonly Measurement[], bigTodos: number): Verdict[] {
  const by = (name: string) => measurements.find((m) => m.scenario.name === name);
  const result: Verdict[] = [];
  for (const pair of floorPairs) {
    const api = by(pair.api);
    const floor = by(pair.floor);
    if (api && floor) result.push(...floorVerdicts(pair.label, api, floor));
  }
  const listBig = by('list-big');
  const wide = measurements.filter((m) => m.scenario.target === 'api' && m.scenario.connections >= 64);
  if (wide.length > 0) {
    const over = wide.filter((m) => m.latencyMs.p99 >= targets.p99Ms);
    result.push({
      target: `p99 < ${targets.p99Ms} ms at 64 connections`,
      met: over.length === 0,
      detail:
        over.length === 0
          ? 'every 64-connection scenario'
          : `over in: ${over.map((m) => `${m.scenario.name} ${m.latencyMs.p99} ms`).join(', ')}`,
    });
  }
  for (const name of ['search-title', 'search-description']) {
    const alone = by(`${name}-1c`);
    const loaded = by(name);
    if (alone) {
      result.push({
        target: `${name} p99 < ${targets.searchP99Ms} ms on one user's ${bigTodos.toLocaleString('en')} todos`,
        met: alone.latencyMs.p99 < targets.searchP99Ms,
        detail: `${alone.latencyMs.p99} ms on one connection${loaded ? `, ${loaded.latencyMs.p99} ms at ${loaded.scenario.connections}` : ''}`,
      });
    }
  }
  const small = by('list-small');
  if (listBig && small) {
    const p50 = listBig.latencyMs.p50 / small.latencyMs.p50;
    const p99 = listBig.latencyMs.p99 / small.latencyMs.p99;
    const factor = targets.bigListLatencyFactor;
    result.push({
      target: `list latency on the big user within ${factor} × the 10 k user`,
      met: p50 <= factor && p99 <= factor,
      detail: `p50 ${p50.toFixed(2)} ×, p99 ${p99.toFixed(2)} ×`,
    });
  }
  const login = by('login');
  if (login) {
    result.push({
      target: `event-loop delay p99 < ${targets.loginEventLoopDelayP99Ms} ms during ${login.scenario.connections} concurrent logins`,
      met:
        login.eventLoopDelayP99Ms === undefined
          ? undefined
          : login.eventLoopDelayP99Ms < targets.loginEventLoopDelayP99Ms,
      detail: `${ms(login.eventLoopDelayP99Ms)} ms`,
    });
  }
  const rss = measurements.filter((m) => m.scenario.target === 'api' && m.rssMax !== undefined);
  if (rss.length > 0) {
    const max = Math.max(...rss.map((m) => m.rssMax!));
    result.push({
      target: `API RSS < ${mb(targets.rssMaxBytes)} under load`,
      met: max < targets.rssMaxBytes,
      detail: `max ${mb(max)}`,
    });
  }
  const failing = measurements.filter((m) => m.errors > 0);
  result.push({
    target: 'no errors',
    met: failing.length === 0,
    detail: failing.length === 0 ? 'none' : failing.map((m) => `${m.scenario.name} ${m.errors}`).join(', '),
  });
  return result;
}

export function formatVerdicts(list: readonly Verdict[]): string {
  const mark = (met: Verdict['met']) => (met === undefined ? 'n/a   ' : met ? 'MET   ' : 'MISSED');
  return list.map((v) => `${mark(v.met)} ${v.target}: ${v.detail}`).join('\n');
}

/**
 * The second API (`--compare-env`, `--compare-ref`) against the first, for the list
 * and the writes (by CPU per request) and the logins (by latency: bcrypt's cost, plus what the settings add).
 */
export function abSummary(measurements: readonly Measurement[], label: string): string {
  const named = (name: string) => measurements.find((m) => m.scenario.name === name);
  const change = (x?: number, y?: number) =>
    x === undefined || y === undefined ? 'n/a' : `${y > x ? '+' : ''}${(((y - x) / x) * 100).toFixed(1)} %`;
  const lines: string[] = [];
  for (const name of ['list-big', 'create', 'patch']) {
    const [a, b] = [named(name), named(`${name}-b`)];
    if (!a || !b) continue;
    const ca = cpuPerRequest(a);
    const cb = cpuPerRequest(b);
    lines.push(
      `A/B ${label}: ${name}-b vs ${name}, CPU per request ${us(cb.total)} vs ${us(ca.total)} µs (${change(ca.total, cb.total)}; ` +
        `server ${us(cb.server)} vs ${us(ca.server)}, PostgreSQL ${us(cb.backends)} vs ${us(ca.backends)}), ` +
        `throughput ${b.requestsPerSecond.toFixed(0)} vs ${a.requestsPerSecond.toFixed(0)} req/s`,
    );
  }
  const [la, lb] = [named('login'), named('login-b')];
  if (la && lb) {
    lines.push(
      `A/B ${label}: login-b vs login, latency p50 ${ms(lb.latencyMs.p50)} vs ${ms(la.latencyMs.p50)} ms ` +
        `(${change(la.latencyMs.p50, lb.latencyMs.p50)}), p99 ${ms(lb.latencyMs.p99)} vs ${ms(la.latencyMs.p99)} ms, ` +
        `throughput ${lb.requestsPerSecond.toFixed(1)} vs ${la.requestsPerSecond.toFixed(1)} req/s`,
    );
  }
  return lines.length
    ? lines.join('\n')
    : `A/B (${label}): no pair (list-big, create, patch or login with its -b) was measured`;
}
