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

/**
 * The TypeScript of src/, migrations/, bench/ and test/ transpiled to
 * JavaScript in `outDir`, laid out as the repository is (with package.json
 * beside them): esbuild strips the types file by file in a fraction of a
 * second, once per run. The servers tests spawn run it with plain `node`;
 * ava's workers load it through test/helpers/build-hooks.ts. Either way no
 * process pays for tsx, whose hooks see every import and require, node_modules
 * included (about 0.6 s of CPU each time the app is loaded, ~60 times a run).
 * Source maps (beside each file) point failures at the .ts lines.
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
    // Not linked from the .js: the hooks name each map when they load its file.
    sourcemap: 'external',
    sourcesContent: false,
    logLevel: 'warning',
  });
  await mkdir(outDir, { recursive: true });
  // "type": "module" for the .js files, and the version the server reports.
  await copyFile('package.json', path.join(outDir, 'package.json'));
}
