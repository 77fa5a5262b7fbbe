import { readFile } from 'node:fs/promises';
import test from 'ava';
import { COMPOSE_SETTINGS, envExample, settingsTable, withReadmeTable } from '../src/cli/config-docs.js';
import { FILE_SETTINGS, SETTINGS } from '../src/config.js';

// src/config.ts describes each setting once; everything else is generated or checked from it.
const FIX = 'run `npm run docs:config` after changing a setting in src/config.ts';

test('every setting has a description', (t) => {
  for (const row of settingsTable()) t.true(row.description.length > 10, `${row.name} has no description`);
});

test('.env.example is generated from the config schema', async (t) => {
  t.is(await readFile('.env.example', 'utf8'), envExample(), FIX);
});

test("README's configuration table is generated from the config schema", async (t) => {
  const readme = await readFile('README.md', 'utf8');
  t.is(await withReadmeTable(readme), readme, FIX);
});

test('docker-compose.yml passes the API only known settings, and docs/containers.md names each one', async (t) => {
  const compose = await readFile('docker-compose.yml', 'utf8');
  const containers = await readFile('docs/containers.md', 'utf8');
  const known = new Set([...Object.keys(SETTINGS.shape), ...FILE_SETTINGS.map((name) => `${name}_FILE`)]);
  // The api service's environment block: `      NAME: value` lines under `environment:`.
  const api = compose.slice(compose.indexOf('\n  api:'));
  const block = api.slice(api.indexOf('environment:'), api.indexOf('\n    ports:'));
  const passed = [...block.matchAll(/^ {6}([A-Z][A-Z0-9_]+):/gm)].map((match) => match[1] as string);
  t.true(passed.length > 5);
  for (const name of passed)
    t.true(known.has(name), `docker-compose.yml sets ${name}, which src/config.ts does not read`);
  const substituted = new Set([...compose.matchAll(/\$\{([A-Z][A-Z0-9_]+)/g)].map((match) => match[1] as string));
  for (const name of substituted) {
    t.true(known.has(name) || name in COMPOSE_SETTINGS, `${name} is neither a setting nor in COMPOSE_SETTINGS`);
    t.true(containers.includes(`\`${name}\``), `docs/containers.md does not mention ${name}, which compose reads`);
  }
});
