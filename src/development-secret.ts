import { randomBytes } from 'node:crypto';
import { link, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';

const readIfExists = (file: string) =>
  readFile(file, 'utf8').catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return undefined;
    throw error;
  });

/**
 * The SECRET_KEY of a local run without one: made once, kept in
 * `<directory>/secret-key` (mode 0600, beside the embedded database's
 * credentials), so tokens survive `npm run dev` reloads and restarts.
 * loadConfig accepts it only when ENVIRONMENT is local.
 */
export async function readOrCreateDevelopmentSecret(directory: string): Promise<string> {
  const file = path.join(directory, 'secret-key');
  let secret = await readIfExists(file);
  if (secret === undefined) {
    await mkdir(directory, { recursive: true, mode: 0o755 });
    // Written aside, then linked into place: when two processes start together,
    // neither reads a half-written file and both end up with the first one's key.
    const draft = `${file}.${randomBytes(4).toString('hex')}.tmp`;
    try {
      await writeFile(draft, `${randomBytes(32).toString('hex')}\n`, { mode: 0o600 });
      await link(draft, file).catch((error: NodeJS.ErrnoException) => {
        if (error.code !== 'EEXIST') throw error;
      });
    } finally {
      await rm(draft, { force: true });
    }
    secret = await readFile(file, 'utf8');
  }
  secret = secret.trim();
  if (secret.length < 32) throw new Error(`${file} holds no usable key: delete it and a new one is made`);
  return secret;
}
