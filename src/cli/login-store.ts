import { chmod, mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import envPaths from 'env-paths';
import { errorMessage } from '../errors.js';
import { CliError } from './errors.js';

/** What `aibridge login` remembers: one server and the token to reach it with. */
export interface StoredLogin {
  url: string;
  token: string;
  /** Who the token belonged to when it was stored (shown by whoami when offline). */
  username?: string;
}

/**
 * The login file: `config.json` in the user's config directory (env-paths: on Linux
 * `$XDG_CONFIG_HOME/aibridge`, else `~/.config/aibridge`; `~/Library/Preferences/aibridge`
 * on macOS; `%APPDATA%\aibridge\Config` on Windows).
 */
export function loginFile(): string {
  return join(envPaths('aibridge', { suffix: '' }).config, 'config.json');
}

/** The stored login, or undefined when there is none; a damaged file is an error saying where. */
export async function readLogin(): Promise<StoredLogin | undefined> {
  const file = loginFile();
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new CliError(`cannot read the login in ${file}: ${errorMessage(error)}`);
  }
  try {
    const value = JSON.parse(text) as Partial<StoredLogin>;
    if (typeof value.url === 'string' && typeof value.token === 'string') {
      return { url: value.url, token: value.token, ...(value.username ? { username: value.username } : {}) };
    }
  } catch {}
  throw new CliError(`the login in ${file} is damaged: run \`aibridge login <url>\` again`);
}

/**
 * Stores the login readable by its owner only (the directory 0700, the file 0600, written
 * to a temporary file and renamed, so it is never seen half-written or with looser modes).
 */
export async function saveLogin(login: StoredLogin): Promise<string> {
  const file = loginFile();
  await mkdir(dirname(file), { recursive: true, mode: 0o700 });
  const temporary = `${file}.${process.pid}.tmp`;
  await writeFile(temporary, `${JSON.stringify(login, null, 2)}\n`, { mode: 0o600 });
  await chmod(temporary, 0o600);
  await rename(temporary, file);
  return file;
}

/** Forgets the stored login; says whether there was one. */
export async function deleteLogin(): Promise<boolean> {
  const file = loginFile();
  const existed = (await readLogin().catch(() => true)) !== undefined;
  await rm(file, { force: true });
  return existed;
}
