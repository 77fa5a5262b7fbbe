import { copyFile, mkdir, readdir } from 'node:fs/promises';
import path from 'node:path';
import { build } from 'esbuild';

const SOURCES = ['src', 'migrations'];

async function typeScriptFiles(directory: string): Promise<string[]> {
  const entries = await readdir(directory, { recursive: true, withFileTypes: true });
  return entries
    .filter((entry) => entry.isFile() && entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts'))
    .map((entry) => path.join(entry.parentPath, entry.name));
}

/**
 * src/ and migrations/ transpiled to JavaScript in `outDir`, laid out as
 * `npm run build` lays out dist/ (with package.json beside them), so the tests
 * that spawn servers run plain `node …/src/server.js`. esbuild strips the types
 * file by file in a fraction of a second; every spawned server then skips
 * tsx's loader and its per-file work (about half of a start's CPU time).
 * `outDir` must lie inside the repository, where node_modules is found.
 */
export async function buildServer(outDir: string): Promise<string> {
  const files = (await Promise.all(SOURCES.map((directory) => typeScriptFiles(directory)))).flat();
  await build({
    entryPoints: files,
    outdir: outDir,
    outbase: '.',
    format: 'esm',
    platform: 'node',
    target: 'node20',
    tsconfig: 'tsconfig.build.json',
    logLevel: 'warning',
  });
  await mkdir(outDir, { recursive: true });
  // "type": "module" for the .js files, and the version the server reports.
  await copyFile('package.json', path.join(outDir, 'package.json'));
  return path.join(outDir, 'src', 'server.js');
}
