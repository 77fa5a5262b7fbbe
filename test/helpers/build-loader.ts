/**
 * `node --import <build>/test/helpers/build-loader.js`: ava's workers load this
 * run's build through test/helpers/build-hooks.ts (see ava.config.js).
 */
import { register } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { BuildHooksData } from './build-hooks.js';

// This file is <build>/test/helpers/build-loader.js.
const build = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const folderUrl = (folder: string) => pathToFileURL(folder + path.sep).href;

register<BuildHooksData>('./build-hooks.js', import.meta.url, {
  data: { root: folderUrl(process.cwd()), build: folderUrl(build) },
});
