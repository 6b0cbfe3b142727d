/**
 * The project's private state for local runs: `.edgetag/` in the checkout (git-ignored, mode 0700).
 * Secrets handed to `wrangler dev` live here rather than in the system's temporary directory, so a
 * hard-killed run leaves them nowhere else, and the next start on the same port replaces them.
 */
import { chmod, mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const PRIVATE_DIR = fileURLToPath(new URL('../.edgetag/', import.meta.url));

/**
 * Writes `name` in the private directory, readable by this user only (0600). An old file of that
 * name is removed first, so neither its content nor a looser mode it may have been given survives.
 */
export async function writePrivateFile(name: string, content: string, dir = PRIVATE_DIR): Promise<string> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  await chmod(dir, 0o700);
  const file = join(dir, name);
  await rm(file, { force: true });
  await writeFile(file, content, { mode: 0o600, flag: 'wx' });
  return file;
}
