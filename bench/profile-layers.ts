/**
 * Reads a V8 .cpuprofile (node --cpu-prof) and splits its self time by layer
 * of the stack: each sample goes to the innermost frame that belongs to a
 * layer (a package, one of our files, node's HTTP or socket code), so native
 * and node-internal frames count for whoever called them.
 */

export interface CpuProfile {
  readonly nodes: readonly {
    readonly id: number;
    readonly callFrame: { readonly functionName: string; readonly url: string };
    readonly children?: readonly number[];
  }[];
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
  /** µs on the monotonic clock (CLOCK_MONOTONIC on Linux, as process.hrtime in any process). */
  readonly startTime: number;
}

export const LAYERS = [
  'HTTP (node:http parsing and responses)',
  'socket writes and reads: HTTP side',
  'socket writes and reads: PostgreSQL side',
  'sockets and streams: other',
  'Koa and middleware',
  'logging (pino)',
  'validation (zod)',
  'JWT (jsonwebtoken)',
  'user lookup (current-user, User.byId: building and sending)',
  'knex (building, pool, runner)',
  'Objection',
  'pg (protocol, parsing)',
  'route handlers and serializers',
  'JSON (stringify, parse; with Koa respond)',
  "the floor's own code (token check, routing, JSON.stringify)",
  'GC',
  'other (native, node internals, other packages)',
] as const;
export type Layer = (typeof LAYERS)[number];

const PACKAGES: Record<string, Layer> = {};
const assign = (layer: Layer, names: string[]) => names.forEach((name) => (PACKAGES[name] = layer));
assign('Koa and middleware', [
  'koa',
  'koa-compose',
  '@koa/router',
  '@koa/bodyparser',
  '@koa/cors',
  'koa-helmet',
  'helmet',
  'on-finished',
  'statuses',
  'http-errors',
  'type-is',
  'content-type',
  'mime-types',
  'mime-db',
  'accepts',
  'negotiator',
  'cookies',
  'keygrip',
  'depd',
  'vary',
  'encodeurl',
  'escape-html',
  'fresh',
  'destroy',
  'co-body',
  'raw-body',
  'inflation',
  'cache-content-type',
  'delegates',
  'path-to-regexp',
  'koa-convert',
  'ee-first',
  'media-typer',
  'only',
  'http-assert',
]);
assign('logging (pino)', [
  'pino',
  'pino-std-serializers',
  'sonic-boom',
  'thread-stream',
  'fast-redact',
  'quick-format-unescaped',
  'atomic-sleep',
  'on-exit-leak-free',
  'safe-stable-stringify',
  'fast-safe-stringify',
]);
assign('validation (zod)', ['zod', '@asteasolutions/zod-to-openapi']);
assign('JWT (jsonwebtoken)', [
  'jsonwebtoken',
  'jws',
  'jwa',
  'safe-buffer',
  'buffer-equal-constant-time',
  'ecdsa-sig-formatter',
  'semver',
  'ms',
  'lodash.includes',
  'lodash.isboolean',
  'lodash.isinteger',
  'lodash.isnumber',
  'lodash.isplainobject',
  'lodash.isstring',
  'lodash.once',
]);
assign('knex (building, pool, runner)', [
  'knex',
  'tarn',
  'lodash',
  'debug',
  'get-package-type',
  'pg-connection-string',
]);
assign('Objection', ['objection', 'db-errors']);
assign('pg (protocol, parsing)', [
  'pg',
  'pg-protocol',
  'pg-types',
  'pg-pool',
  'pg-int8',
  'postgres-array',
  'postgres-date',
  'postgres-interval',
  'postgres-bytea',
  'pgpass',
]);

/** Our compiled files (dist/src/… or the bench's build), by path inside src/. */
function ourLayer(file: string): Layer | 'transparent' {
  if (/(^|\/)pg-types\.js$/.test(file)) return 'pg (protocol, parsing)';
  if (/^middleware\/current-user\.js$|^models\/user\.js$/.test(file)) {
    return 'user lookup (current-user, User.byId: building and sending)';
  }
  if (/^security\.js$/.test(file)) return 'JWT (jsonwebtoken)';
  if (/^logger\.js$/.test(file)) return 'logging (pino)';
  if (/^routes\/(todos|users|auth|serializers)\.js$|^models\/|^schemas\//.test(file)) {
    return 'route handlers and serializers';
  }
  return 'Koa and middleware';
}

const NODE_HTTP = /^node:(_http_|http$|https$)/;
const NODE_SOCKETS = /^node:(net|stream|internal\/stream_base_commons|internal\/streams\/|internal\/net)/;

/** A frame's own layer, or 'transparent' when its time belongs to its caller. */
export function frameLayer(functionName: string, url: string): Layer | 'transparent' | 'idle' {
  if (url === '') {
    if (functionName === '(garbage collector)') return 'GC';
    if (functionName === '(idle)' || functionName === '(root)') return 'idle';
    if (functionName === '(program)') return 'other (native, node internals, other packages)';
    if (functionName === 'stringify' || functionName === 'parse') return 'JSON (stringify, parse; with Koa respond)';
    return 'transparent';
  }
  // V8 runs JSON.stringify without a frame of its own: its time is the self time of Koa's
  // respond(), which does little else (it stringifies the body and calls res.end).
  if (functionName === 'respond' && /\/node_modules\/koa\/lib\/application\.js$/.test(url)) {
    return 'JSON (stringify, parse; with Koa respond)';
  }
  if (NODE_HTTP.test(url)) return 'HTTP (node:http parsing and responses)';
  if (NODE_SOCKETS.test(url)) return 'sockets and streams: other';
  if (url.startsWith('node:')) return 'transparent';
  const path = decodeURIComponent(url.replace(/^file:\/\//, ''));
  const inPackage = /.*\/node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(path);
  if (inPackage && !path.includes('/node_modules/.cache/')) {
    return PACKAGES[inPackage[1]!] ?? 'other (native, node internals, other packages)';
  }
  if (/\/bench\/floor(-server)?\.js$/.test(path)) return "the floor's own code (token check, routing, JSON.stringify)";
  const ours = /\/src\/(.+)$/.exec(path);
  if (ours) return ourLayer(ours[1]!);
  return 'transparent';
}

export interface LayerSummary {
  /** Self time by layer, in ms, idle excluded. */
  readonly layers: ReadonlyMap<Layer, number>;
  readonly totalMs: number;
  /** The frames with the most self time, as `function (package or file)`. */
  readonly topFrames: readonly { readonly frame: string; readonly ms: number }[];
}

const LOOKUP: Layer = 'user lookup (current-user, User.byId: building and sending)';
const LOOKUP_PARTS = new Set<Layer>(['knex (building, pool, runner)', 'Objection', 'pg (protocol, parsing)']);
const SOCKETS: Layer = 'sockets and streams: other';

/**
 * Some layers are refined by who called them: knex, Objection and pg below
 * User.byId are the user lookup; socket work below node:http or pg is that side's.
 */
function refine(layer: Layer, ancestor: Layer): Layer | undefined {
  if (LOOKUP_PARTS.has(layer) && ancestor === LOOKUP) return LOOKUP;
  if (layer === SOCKETS && ancestor === 'HTTP (node:http parsing and responses)') {
    return 'socket writes and reads: HTTP side';
  }
  if (layer === SOCKETS && (ancestor === 'pg (protocol, parsing)' || ancestor === LOOKUP)) {
    return 'socket writes and reads: PostgreSQL side';
  }
  return undefined;
}

/**
 * Self time by layer, from the samples and their time deltas; with `window`
 * (monotonic µs), only the samples taken within it, e.g. while the load ran.
 */
export function summarize(
  profile: CpuProfile,
  window?: { readonly fromUs: number; readonly toUs: number },
  topCount = 15,
): LayerSummary {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);

  const layerOf = new Map<number, Layer | 'idle'>();
  const resolve = (id: number): Layer | 'idle' => {
    const known = layerOf.get(id);
    if (known) return known;
    let layer: Layer | 'idle' | undefined;
    for (let current: number | undefined = id; current !== undefined; current = parent.get(current)) {
      const { functionName, url } = byId.get(current)!.callFrame;
      const own = frameLayer(functionName, url);
      if (own === 'transparent') continue;
      if (layer === undefined) {
        layer = own;
        if (own === 'idle' || (!LOOKUP_PARTS.has(own) && own !== SOCKETS)) break;
      } else if (layer !== 'idle' && own !== 'idle') {
        const refined = refine(layer, own);
        if (refined) {
          layer = refined;
          break;
        }
      }
    }
    const result = layer ?? 'other (native, node internals, other packages)';
    layerOf.set(id, result);
    return result;
  };

  const layers = new Map<Layer, number>();
  const frames = new Map<string, number>();
  let totalMs = 0;
  // Each sample lasts until the next one: timeDeltas[i + 1] is sample i's duration, in µs.
  let at = profile.startTime;
  for (let i = 0; i < profile.samples.length; i++) {
    at += profile.timeDeltas[i] ?? 0;
    if (window && (at < window.fromUs || at > window.toUs)) continue;
    const id = profile.samples[i]!;
    const ms = (profile.timeDeltas[i + 1] ?? 0) / 1000;
    const layer = resolve(id);
    if (layer === 'idle') continue;
    layers.set(layer, (layers.get(layer) ?? 0) + ms);
    totalMs += ms;
    const { functionName, url } = byId.get(id)!.callFrame;
    const where = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(url)?.[1] ?? url.replace(/^.*\/src\//, 'src/');
    const frame = `${functionName || '(anonymous)'}${where ? ` (${where})` : ''}`;
    frames.set(frame, (frames.get(frame) ?? 0) + ms);
  }
  const topFrames = [...frames]
    .sort((a, b) => b[1] - a[1])
    .slice(0, topCount)
    .map(([frame, ms]) => ({ frame, ms }));
  return { layers, totalMs, topFrames };
}
