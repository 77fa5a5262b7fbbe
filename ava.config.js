import path from 'node:path';
import process from 'node:process';

// ava runs as many test files at once as there are cores (2 here). These take
// longest, mostly waiting on spawned servers, a browser or bcrypt: started
// first, they overlap with the many short files instead of running alone at
// the end (longest-first scheduling). The rest keep ava's alphabetical order.
const SLOWEST_FIRST = [
  'server',
  'host-loop',
  'startup-messages',
  'test-runner',
  'login-replicas',
  'docs-browser',
  'fuzz',
  'login-protection',
  'hardening',
];

/** @param {string} file */
const rank = (file) => {
  const index = SLOWEST_FIRST.findIndex((name) => file.endsWith(`/${name}.test.ts`));
  return index === -1 ? SLOWEST_FIRST.length : index;
};

// test/run.ts builds src/, migrations/, bench/ and test/ to JavaScript once per run and names
// the folder here: the workers then load that build in place of the sources, with no tsx
// (test/helpers/build-hooks.ts). Under --watch or a debugger it runs the TypeScript through tsx.
const build = process.env.FZ_TEST_BUILD;

export default {
  extensions: { ts: 'module' },
  nodeArguments: [build ? `--import=${path.join(build, 'test/helpers/build-loader.js')}` : '--import=tsx'],
  // The container tests build images and run Docker: `npm run test:containers`.
  files: ['test/**/*.test.ts', '!test/containers/**'],
  workerThreads: false,
  timeout: '60s',
  /** @type {(a: string, b: string) => number} */
  sortTestFiles: (a, b) => rank(a) - rank(b) || a.localeCompare(b),
};
