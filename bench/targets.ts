/**
 * The thresholds the bench judges a run by, as data: the report prints a
 * verdict for each from the run's own figures, and bench/RESULTS.md records
 * what runs gave. Change a target here, with the issue that set it.
 */
export const targets = {
  /**
   * Issue 14: floor CPU per request ÷ ours, both counting their PostgreSQL
   * backends, for each endpoint the floor also serves. Throughput ratios
   * are printed beside it, not judged: they move with the machine's other load.
   */
  floorEfficiency: 0.7,
  /** Issue 14: our p99 at most this many times the floor's, same endpoint, same connections. */
  floorP99Factor: 1.5,
  /** Issue 7: p99 of every 64-connection scenario. */
  p99Ms: 50,
  /** Issue 7: a substring search on one user's todos, alone on a connection. */
  searchP99Ms: 100,
  /** Issue 7: the big user's list latency (p50 and p99) within this factor of the 10 k user's. */
  bigListLatencyFactor: 2,
  /** Issue 7: event-loop delay p99 while logins hash passwords. */
  loginEventLoopDelayP99Ms: 20,
  /** Issue 7: the API's resident memory under load. */
  rssMaxBytes: 200 * 2 ** 20,
} as const;

/** Each API scenario compared with the floor scenario doing the same statement. */
export const floorPairs = [
  { api: 'list-big', floor: 'floor-list-big', label: 'authenticated list' },
  { api: 'create', floor: 'floor-create', label: 'create' },
  { api: 'patch', floor: 'floor-patch', label: 'patch' },
] as const;
