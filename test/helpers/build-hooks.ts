/**
 * Module hooks (node:module register) that run this run's build in place of
 * the TypeScript sources: a test still imports `test/users.test.ts`, whose
 * URL, stack frames and ava's code excerpts stay those of the source, but its
 * JavaScript comes from the build (test/helpers/test-build.ts), with no
 * transpiling and nothing to do for node_modules (its imports pass straight on).
 */
import { readFile } from 'node:fs/promises';
import type { InitializeHook, LoadHook, ResolveHook } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export interface BuildHooksData {
  /** file: URL of the repository, ending in a slash. */
  readonly root: string;
  /** file: URL of the build, ending in a slash. */
  readonly build: string;
}

let data: BuildHooksData;

export const initialize: InitializeHook<BuildHooksData> = (given) => {
  data = given;
};

const isSource = (url: string) =>
  url.startsWith(data.root) && url.endsWith('.ts') && !url.slice(data.root.length).startsWith('node_modules/');

/** TypeScript imports name the .js a compiler would emit (`./app.js` for app.ts), as tsc's NodeNext resolution wants. */
export const resolve: ResolveHook = async (specifier, context, nextResolve) => {
  if (specifier.startsWith('.') && specifier.endsWith('.js') && context.parentURL && isSource(context.parentURL)) {
    try {
      return await nextResolve(`${specifier.slice(0, -'.js'.length)}.ts`, context);
    } catch {
      // a real .js file
    }
  }
  return nextResolve(specifier, context);
};

export const load: LoadHook = async (url, context, nextLoad) => {
  if (!isSource(url)) return nextLoad(url, context);
  const relative = url.slice(data.root.length);
  const built = new URL(relative.replace(/\.ts$/, '.js'), data.build);
  const source = await readFile(built, 'utf8').catch((error: unknown) => {
    throw new Error(`${relative} is not in this run's build (see BUILT_DIRECTORIES in test/helpers/test-build.ts)`, {
      cause: error,
    });
  });
  // The map lies beside the built file and names the source relative to itself. Node
  // reads a map named by a relative URL (or a data: URL), resolved from the module's URL.
  const map = path.relative(path.dirname(fileURLToPath(url)), fileURLToPath(`${built.href}.map`));
  const mapUrl = map.split(path.sep).map(encodeURIComponent).join('/');
  return { format: 'module', source: `${source}\n//# sourceMappingURL=${mapUrl}\n`, shortCircuit: true };
};
