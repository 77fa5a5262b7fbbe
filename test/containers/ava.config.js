// ava settings of `npm run test:containers` (run through test/containers/run.ts);
// `npm test` excludes this folder. One file at a time: builds and stacks
// share two cores with everything else on the machine.
export default {
  files: ['test/containers/**/*.test.ts'],
  extensions: { ts: 'module' },
  nodeArguments: ['--import=tsx'],
  workerThreads: false,
  concurrency: 1,
  // Image builds and `devcontainer up` report nothing for minutes; each test sets its own bound too.
  timeout: '45m',
  verbose: true,
};
