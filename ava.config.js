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
  const index = SLOWEST_FIRST.findIndex((name) => ['ts', 'js'].some((ext) => file.endsWith(`/${name}.test.${ext}`)));
  return index === -1 ? SLOWEST_FIRST.length : index;
};

// test/run.ts builds src/, migrations/, bench/ and test/ to JavaScript once per run and names
// the folder here: ava then runs the build's test files with plain node. Under --watch or a
// debugger it runs the TypeScript through tsx.
const build = process.env.FZ_TEST_BUILD;
const tests = build ? path.relative(process.cwd(), path.join(build, 'test')) : 'test';

export default {
  ...(build ? {} : { extensions: { ts: 'module' }, nodeArguments: ['--import=tsx'] }),
  // The container tests build images and run Docker: `npm run test:containers`.
  files: [`${tests}/**/*.test.${build ? 'js' : 'ts'}`, `!${tests}/containers/**`],
  watchMode: { ignoreChanges: ['.test-build/**'] },
  workerThreads: false,
  timeout: '60s',
  /** @type {(a: string, b: string) => number} */
  sortTestFiles: (a, b) => rank(a) - rank(b) || a.localeCompare(b),
};
