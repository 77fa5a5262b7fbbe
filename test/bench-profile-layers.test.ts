import test from 'ava';
import { frameLayer, summarize, type CpuProfile } from '../bench/profile-layers.js';

const file = (p: string) => `file:///app/${p}`;

test('frameLayer: packages, our files and node modules each go to their layer; natives to their caller', (t) => {
  t.is(frameLayer('verify', file('node_modules/jsonwebtoken/verify.js')), 'JWT (jsonwebtoken)');
  t.is(frameLayer('parse', file('node_modules/@koa/router/lib/router.js')), 'Koa and middleware');
  t.is(frameLayer('parseRow', file('node_modules/pg/lib/result.js')), 'pg (protocol, parsing)');
  t.is(frameLayer('timestamptzToIso', file('dist/src/db/pg-types.js')), 'pg (protocol, parsing)');
  t.is(
    frameLayer('byId', file('dist/src/models/user.js')),
    'user lookup (current-user, User.byId: building and sending)',
  );
  t.is(frameLayer('stringify', ''), 'JSON (stringify, parse; with Koa respond)');
  t.is(frameLayer('respond', file('node_modules/koa/lib/application.js')), 'JSON (stringify, parse; with Koa respond)');
  t.is(
    frameLayer('answer', file('node_modules/.cache/fast-zero-bench/bench/floor.js')),
    "the floor's own code (token check, routing, JSON.stringify)",
  );
  t.is(frameLayer('(garbage collector)', ''), 'GC');
  t.is(frameLayer('(idle)', ''), 'idle');
  t.is(frameLayer('writev', ''), 'transparent');
  t.is(frameLayer('processTicksAndRejections', 'node:internal/process/task_queues'), 'transparent');
  t.is(frameLayer('parserOnHeadersComplete', 'node:_http_common'), 'HTTP (node:http parsing and responses)');
});

test('summarize: self time goes to the innermost layer, refined by caller; idle and samples outside the window left out', (t) => {
  const frame = (id: number, functionName: string, url: string, children: number[] = []) => ({
    id,
    callFrame: { functionName, url },
    children,
  });
  const profile: CpuProfile = {
    startTime: 1_000,
    nodes: [
      frame(1, '(root)', '', [2, 3, 8]),
      frame(2, 'byId', file('dist/src/models/user.js'), [4]),
      frame(3, 'handler', file('dist/src/routes/todos.js'), [5]),
      frame(4, 'toSQL', file('node_modules/knex/lib/query/querycompiler.js'), [6]),
      frame(5, 'toSQL', file('node_modules/knex/lib/query/querycompiler.js'), [7]),
      frame(6, 'send', file('node_modules/pg/lib/connection.js'), [9]),
      frame(7, 'writev', ''),
      frame(8, '(idle)', ''),
      frame(9, 'writevGeneric', 'node:internal/stream_base_commons', [10]),
      frame(10, 'writev', ''),
    ],
    // Each sample lasts until the next one (µs).
    samples: [4, 5, 7, 8, 10, 5, 5],
    timeDeltas: [0, 1_000, 2_000, 3_000, 4_000, 5_000, 6_000],
  };
  const summary = summarize(profile, { fromUs: 0, toUs: 15_000 });
  t.deepEqual(Object.fromEntries(summary.layers), {
    'user lookup (current-user, User.byId: building and sending)': 1,
    'knex (building, pool, runner)': 2 + 3,
    'socket writes and reads: PostgreSQL side': 5,
  });
  t.is(summary.totalMs, 1 + 2 + 3 + 5);
});
