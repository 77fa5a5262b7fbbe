import { copyFile, mkdir, readdir } from 'node:fs/promises';
import path from 'node:path';
import { build } from 'esbuild';

/** What the host suite loads: the app, its migrations, the bench code some tests check, and the tests. */
export const BUILT_DIRECTORIES = ['src', 'migrations', 'bench', 'test'];
// The container tests run apart (`npm run test:containers`), under tsx.
const LEFT_OUT = [path.join('test', 'containers')];

async function typeScriptFiles(directory: string): Promise<string[]> {
  const entries = await readdir(directory, { recursive: true, withFileTypes: true });
  return entries
    .filter((entry) => entry.isFile() && entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts'))
    .map((entry) => path.join(entry.parentPath, entry.name))
    .filter((file) => !LEFT_OUT.some((folder) => file.startsWith(folder + path.sep)));
}

/** Where a run's build goes: outside node_modules, where ava finds no test files. */
export const BUILDS_DIRECTORY = '.test-build';

/**
 * The TypeScript of src/, migrations/, bench/ and test/ transpiled to
 * JavaScript in `outDir`, laid out as the repository is (with package.json
 * beside them): esbuild strips the types file by file in a fraction of a
 * second, once per run. ava's workers run its test files and the servers
 * tests spawn run its src/server.js, all with plain `node`: no process pays
 * for tsx, or for module hooks, which see every import in a thread of their
 * own (0.4 s of CPU per worker). Linked source maps point stack traces at
 * the .ts lines (ava runs its workers with --enable-source-maps).
 * `outDir` must lie inside the repository, where node_modules is found.
 */
export async function buildForTests(outDir: string): Promise<void> {
  const files = (await Promise.all(BUILT_DIRECTORIES.map((directory) => typeScriptFiles(directory)))).flat();
  await build({
    entryPoints: files,
    outdir: outDir,
    outbase: '.',
    format: 'esm',
    platform: 'node',
    target: 'node20',
    tsconfig: 'tsconfig.json',
    sourcemap: 'linked',
    sourcesContent: false,
    logLevel: 'warning',
  });
  await mkdir(outDir, { recursive: true });
  // "type": "module" for the .js files, and the version the server reports.
  await copyFile('package.json', path.join(outDir, 'package.json'));
}

/** ava's options whose value is the next argument (`--match 'POST*'`), not a file. */
const TAKES_VALUE = new Set([
  '--match',
  '-m',
  '--timeout',
  '-T',
  '--concurrency',
  '-c',
  '--node-arguments',
  '--config',
]);

/**
 * ava's command line with the files, folders and globs it names moved into
 * the build, where ava.config.js looks for tests: `test/users.test.ts:12` is
 * `.test-build/<run>/test/users.test.js:12` (ava maps the line through the
 * file's source map), `test/` is `.test-build/<run>/test`. Options and their
 * values (a `--match` pattern ending in `.ts`), and paths outside the
 * repository, stay as given.
 */
export function namedInBuild(args: readonly string[], build: string): string[] {
  return args.map((arg, index) => {
    if (arg.startsWith('-') || TAKES_VALUE.has(args[index - 1] ?? '')) return arg;
    const { target, lines = '' } = /^(?<target>.*?)(?<lines>:[\d,-]+)?$/.exec(arg)!.groups!;
    const inRepository = path.relative('.', path.resolve(target!));
    if (inRepository.startsWith('..') || path.isAbsolute(inRepository)) return arg;
    const inBuild = path.join(path.relative('.', build), inRepository).replace(/\.ts$/, '.js');
    return `${inBuild}${lines}`;
  });
}
