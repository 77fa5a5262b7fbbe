import test from 'ava';
import { readFileSync } from 'node:fs';
import { docker, inspect, RUN_LABEL } from './helpers/docker.js';
import { productionImage } from './helpers/images.js';

/** Runs `sh -c script` in a throwaway production container, entrypoint bypassed. */
async function shell(script: string): Promise<string> {
  const image = await productionImage();
  const { stdout } = await docker(['run', '--rm', '--label', RUN_LABEL, '--entrypoint', 'sh', image, '-c', script]);
  return stdout.trim();
}

test('production image: runs as a non-root user through its entrypoint, with NODE_ENV=production', async (t) => {
  t.timeout(25 * 60_000);
  const image = await productionImage();
  const { stdout } = await docker(['run', '--rm', '--label', RUN_LABEL, image, 'sh', '-c', 'id -u; echo $NODE_ENV']);
  const [uid, nodeEnv] = stdout.trim().split('\n');
  t.not(uid, '0');
  t.is(nodeEnv, 'production');
});

test('production image: no .env, no TypeScript sources or source maps, no devDependencies', async (t) => {
  t.timeout(25 * 60_000);
  t.is(await shell('find / -xdev \\( -name .env -o -name ".env.*" \\) 2>/dev/null; true'), '', '.env files');
  t.is(await shell('ls -d /app/src 2>/dev/null || true'), '', 'the src folder');
  t.is(await shell('find /app -path /app/node_modules -prune -o -name "*.ts" -print'), '', 'TypeScript sources');
  t.is(await shell('find /app/dist -name "*.map"'), '', 'source maps');
  // package-lock.json flags every package only the development tree needs.
  const lock = JSON.parse(readFileSync('package-lock.json', 'utf8')).packages as Record<string, { dev?: boolean }>;
  const devOnly = new Set(Object.keys(lock).filter((key) => lock[key]!.dev));
  const installed = (await shell('cd /app && find node_modules -mindepth 1 -maxdepth 2 -type d -not -name ".*"')).split(
    '\n',
  );
  t.deepEqual(
    installed.filter((folder) => devOnly.has(folder)),
    [],
    'development-only packages in node_modules',
  );
  t.true(installed.includes('node_modules/koa'));
  t.not(await shell('ls /app/dist/src/server.js /app/dist/src/cli/migrate.js'), '');
});

test('production image: the code is root-owned and read-only to the node user', async (t) => {
  t.timeout(25 * 60_000);
  t.is(await shell('stat -c %U /app/dist/src/server.js'), 'root');
  t.is(await shell('[ -w /app/dist/src/server.js ] && echo writable || echo read-only'), 'read-only');
});

test("production image: CMD is npm run start:prod's command, the one the bench measures", async (t) => {
  t.timeout(25 * 60_000);
  const config = (await inspect(await productionImage())).Config;
  const startProd = JSON.parse(readFileSync('package.json', 'utf8')).scripts['start:prod'];
  t.is(config.Cmd.join(' '), startProd);
  t.deepEqual(config.Entrypoint, ['/usr/local/bin/entrypoint.sh']);
});

test('production image: history and config name no SECRET_KEY, password or DATABASE_URL', async (t) => {
  t.timeout(25 * 60_000);
  const image = await productionImage();
  const history = (await docker(['history', '--no-trunc', '--format', '{{.CreatedBy}}', image])).stdout;
  const env: string[] = (await inspect(image)).Config.Env;
  const text = `${history}\n${env.join('\n')}`;
  for (const needle of ['SECRET_KEY', 'POSTGRES_PASSWORD', 'dev-only-insecure', 'DATABASE_URL']) {
    t.false(text.includes(needle), `'${needle}' appears in the image history or config`);
  }
});
