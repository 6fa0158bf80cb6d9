import { constants } from 'node:fs';
import { chmod, copyFile, mkdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { parse as parseToml, stringify as stringifyToml } from 'smol-toml';
import {
  CLAUDE_CODE_CONFLICTING_ENV,
  CODEX_PROVIDER_ID,
  type ConnectTarget,
  claudeCodeEnv,
  codexProvider,
  codexRoot,
} from './agent-config.js';

/** An agent's config file that cannot be merged into (not JSON/TOML, or the wrong shape). */
export class AgentFileError extends Error {}

type Env = Record<string, string | undefined>;

/** Claude Code's user settings: `$CLAUDE_CONFIG_DIR/settings.json`, else `~/.claude/settings.json`. */
export function claudeSettingsPath(env: Env = process.env): string {
  return join(env.CLAUDE_CONFIG_DIR || join(homedir(), '.claude'), 'settings.json');
}

/** Codex's config: `$CODEX_HOME/config.toml`, else `~/.codex/config.toml`. */
export function codexConfigPath(env: Env = process.env): string {
  return join(env.CODEX_HOME || join(homedir(), '.codex'), 'config.toml');
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Claude Code's settings with aibridge's `env` entries set and everything else kept as it was;
 * also says which conflicting variables it removed (an API key would be sent beside the token).
 */
export function mergeClaudeSettings(
  existing: string | undefined,
  target: ConnectTarget,
): { text: string; removed: string[] } {
  let settings: Record<string, unknown> = {};
  if (existing !== undefined && existing.trim() !== '') {
    let parsed: unknown;
    try {
      parsed = JSON.parse(existing);
    } catch (error) {
      throw new AgentFileError(`it is not valid JSON (${(error as Error).message})`);
    }
    if (!isObject(parsed)) throw new AgentFileError('it is not a JSON object');
    settings = parsed;
  }
  const env = settings.env === undefined ? {} : settings.env;
  if (!isObject(env)) throw new AgentFileError('its "env" is not an object');
  const removed = CLAUDE_CODE_CONFLICTING_ENV.filter((name) => name in env);
  for (const name of removed) delete env[name];
  settings.env = { ...env, ...claudeCodeEnv(target) };
  return { text: `${JSON.stringify(settings, null, 2)}\n`, removed };
}

/**
 * Codex's config with `model_provider` set to aibridge and its `[model_providers.aibridge]`
 * table written, other settings and providers kept (parsed and written back by smol-toml, so
 * comments are not kept: the backup has them). An existing `model` is kept.
 */
export function mergeCodexConfig(existing: string | undefined, target: ConnectTarget): string {
  let config: Record<string, unknown> = {};
  if (existing !== undefined && existing.trim() !== '') {
    try {
      config = parseToml(existing);
    } catch (error) {
      throw new AgentFileError(`it is not valid TOML (${(error as Error).message.split('\n')[0]})`);
    }
  }
  const providers = config.model_providers === undefined ? {} : config.model_providers;
  if (!isObject(providers)) throw new AgentFileError('its "model_providers" is not a table');
  const root = codexRoot();
  const merged: Record<string, unknown> = {
    ...config,
    model_provider: root.model_provider,
    model: config.model ?? root.model,
    model_providers: { ...providers, [CODEX_PROVIDER_ID]: codexProvider(target) },
  };
  return stringifyToml(merged);
}

/** The file's text, or undefined when it does not exist. */
export async function readIfExists(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

/** `20261208T031500Z`: when the backup was taken, sortable, safe in a file name. */
function stamp(at: Date): string {
  return at
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z');
}

/** Copies the file beside itself as `<file>.<stamp>.bak` (never over an earlier backup). */
async function backUp(path: string, at: Date): Promise<string> {
  for (let n = 1; ; n++) {
    const backup = `${path}.${stamp(at)}${n === 1 ? '' : `-${n}`}.bak`;
    try {
      await copyFile(path, backup, constants.COPYFILE_EXCL);
      return backup;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
  }
}

/**
 * Writes an agent's config: backs up what was there first, then writes a temporary file and
 * renames it (never seen half-written). A new file is readable by its owner only (it may hold
 * the token); an existing one keeps its mode.
 */
export async function writeAgentFile(
  path: string,
  content: string,
  at = new Date(),
): Promise<{ backup: string | undefined }> {
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  const mode = await stat(path).then(
    (s) => s.mode & 0o777,
    () => undefined,
  );
  const backup = mode === undefined ? undefined : await backUp(path, at);
  const temporary = `${path}.${process.pid}.tmp`;
  await writeFile(temporary, content, { mode: mode ?? 0o600 });
  await chmod(temporary, mode ?? 0o600);
  await rename(temporary, path);
  return { backup };
}
