import type { Measurement } from './load.js';

const mb = (bytes: number | undefined) => (bytes === undefined ? 'n/a' : `${(bytes / 2 ** 20).toFixed(0)} MB`);
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
    'CPU ms/req',
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
    m.cpuMsPerRequest === undefined ? 'n/a' : m.cpuMsPerRequest.toFixed(2),
  ]);
  const widths = header.map((title, i) => Math.max(title.length, ...rows.map((row) => row[i]!.length)));
  const line = (cells: string[]) => `| ${cells.map((cell, i) => cell.padEnd(widths[i]!)).join(' | ')} |`;
  return [line(header), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...rows.map(line)].join('\n');
}

interface Verdict {
  readonly target: string;
  /** undefined: not measured; 'info': a figure printed beside the targets, not one of them. */
  readonly met: boolean | undefined | 'info';
  readonly detail: string;
}

/** `api` as a multiple of `floor`: by throughput, and by the server CPU each request costs. */
function ratioDetail(api: Measurement, floor: Measurement): string {
  const ratio = api.requestsPerSecond / floor.requestsPerSecond;
  return (
    `${ratio.toFixed(2)} × (${api.requestsPerSecond.toFixed(0)} vs ${floor.requestsPerSecond.toFixed(0)} req/s)` +
    (api.cpuMsPerRequest && floor.cpuMsPerRequest
      ? `; by server CPU per request ${(floor.cpuMsPerRequest / api.cpuMsPerRequest).toFixed(2)} ×` +
        ` (${api.cpuMsPerRequest.toFixed(2)} vs ${floor.cpuMsPerRequest.toFixed(2)} ms)`
      : '')
  );
}

/** Each target of issue 7 against this run's figures; undefined when the run did not measure it. */
export function verdicts(measurements: readonly Measurement[], bigTodos: number): Verdict[] {
  const by = (name: string) => measurements.find((m) => m.scenario.name === name);
  const result: Verdict[] = [];
  const api = by('list-big');
  const floor = by('floor-list-big');
  if (api && floor) {
    result.push({
      target: 'authenticated list ≥ 0.70 × the floor',
      met: api.requestsPerSecond / floor.requestsPerSecond >= 0.7,
      detail: ratioDetail(api, floor),
    });
  }
  const wide = measurements.filter((m) => m.scenario.target === 'api' && m.scenario.connections >= 64);
  if (wide.length > 0) {
    const over = wide.filter((m) => m.latencyMs.p99 >= 50);
    result.push({
      target: 'p99 < 50 ms at 64 connections',
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
        target: `${name} p99 < 100 ms on one user's ${bigTodos.toLocaleString('en')} todos`,
        met: alone.latencyMs.p99 < 100,
        detail: `${alone.latencyMs.p99} ms on one connection${loaded ? `, ${loaded.latencyMs.p99} ms at ${loaded.scenario.connections}` : ''}`,
      });
    }
  }
  const small = by('list-small');
  if (api && small) {
    const p50 = api.latencyMs.p50 / small.latencyMs.p50;
    const p99 = api.latencyMs.p99 / small.latencyMs.p99;
    result.push({
      target: 'list latency on the big user within 2 × the 10 k user',
      met: p50 <= 2 && p99 <= 2,
      detail: `p50 ${p50.toFixed(2)} ×, p99 ${p99.toFixed(2)} ×`,
    });
  }
  const login = by('login');
  if (login) {
    result.push({
      target: `event-loop delay p99 < 20 ms during ${login.scenario.connections} concurrent logins`,
      met: login.eventLoopDelayP99Ms === undefined ? undefined : login.eventLoopDelayP99Ms < 20,
      detail: `${ms(login.eventLoopDelayP99Ms)} ms`,
    });
  }
  const rss = measurements.filter((m) => m.scenario.target === 'api' && m.rssMax !== undefined);
  if (rss.length > 0) {
    const max = Math.max(...rss.map((m) => m.rssMax!));
    result.push({ target: 'API RSS < 200 MB under load', met: max < 200 * 2 ** 20, detail: `max ${mb(max)}` });
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
  const mark = (met: Verdict['met']) =>
    met === 'info' ? 'INFO  ' : met === undefined ? 'n/a   ' : met ? 'MET   ' : 'MISSED';
  return list.map((v) => `${mark(v.met)} ${v.target}: ${v.detail}`).join('\n');
}
