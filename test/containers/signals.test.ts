import test from 'ava';
import { docker, inspect, logs, waitReady } from './helpers/docker.js';
import { Postgres } from './helpers/postgres.js';
import { startProduction } from './helpers/production.js';

let pg: Postgres | undefined;
test.before(async () => {
  pg = await Postgres.start();
});
test.after.always(() => pg?.stop());

test('production container: node is PID 1, so docker stop reaches it: drained, exit 0 well under the 10 s kill', async (t) => {
  t.timeout(25 * 60_000);
  const container = await startProduction(t, pg!, await pg!.createDatabase('signals'));
  await waitReady(container);

  const { stdout } = await docker(['exec', container, 'cat', '/proc/1/cmdline']);
  const [program, ...args] = stdout.split('\0').filter(Boolean);
  t.is(program, 'node', `PID 1 is ${stdout.replaceAll('\0', ' ')}`);
  t.true(args.includes('dist/src/server.js'));

  const stop = await docker(['stop', '-t', '10', container], { timeoutMs: 30_000 });
  t.true(stop.ms < 5000, `docker stop took ${stop.ms} ms`);
  t.is((await inspect(container)).State.ExitCode, 0);
  t.regex(await logs(container), /shutting down/, 'node logged its drain');
  t.log(`docker stop took ${stop.ms} ms`);
});
