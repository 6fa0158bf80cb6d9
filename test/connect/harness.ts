import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { connectSnippets, type Snippet } from '../../src/connect/snippets.js';
import { FakeUpstream, replay } from '../fake-upstream.js';
import { loadTxtar, section } from '../fixtures.js';
import type { TestServer } from '../server.js';

const execFileAsync = promisify(execFile);
const REPO = new URL('../../', import.meta.url).pathname;

/** A fake provider answering every API the snippets call with a recorded fixture. */
export async function snippetUpstream(): Promise<FakeUpstream> {
  const upstream = await FakeUpstream.start();
  upstream.always((req, res) => {
    const stream = (req.json as { stream?: boolean } | undefined)?.stream === true;
    const part = stream ? 'streaming' : 'non-streaming';
    if (req.url.startsWith('/v1/messages/count_tokens')) {
      res.writeHead(200, { 'content-type': 'application/json' });
      return void res.end('{"input_tokens":10}');
    }
    if (req.url.startsWith('/v1/messages'))
      return replay(section(loadTxtar('anthropic/simple.txtar'), part))(req, res);
    if (req.url.startsWith('/v1/chat/completions'))
      return replay(section(loadTxtar('openai/chatcompletions/simple.txtar'), part))(req, res);
    if (req.url.startsWith('/v1/responses')) {
      const name = stream
        ? 'openai/responses/streaming/simple.txtar'
        : 'openai/responses/blocking/simple.txtar';
      return replay(section(loadTxtar(name), part))(req, res);
    }
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end('{"object":"list","data":[]}');
  });
  return upstream;
}

/** The page's snippets for this server and token, read through the same API the page uses. */
export async function snippetsFor(server: TestServer, token: string): Promise<Map<string, Snippet>> {
  const response = await server.request('/api/v2/connect', { token });
  const settings = (await response.json()) as {
    public_url: string | null;
    anthropic_provider: string | null;
    openai_provider: string | null;
  };
  const snippets = connectSnippets({
    baseUrl: settings.public_url ?? server.url,
    token,
    anthropicProvider: settings.anthropic_provider ?? 'anthropic',
    openaiProvider: settings.openai_provider ?? 'openai',
  });
  return new Map(snippets.map((s) => [s.id, s]));
}

/** A scratch folder that can `import 'openai'` (the repository's node_modules linked in). */
export function scratch(): { dir: string; file(name: string, text: string): string; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'aibridge-connect-'));
  symlinkSync(join(REPO, 'node_modules'), join(dir, 'node_modules'));
  return {
    dir,
    file(name, text) {
      const path = join(dir, name);
      writeFileSync(path, text);
      return path;
    },
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** Runs a bash script (the snippets are shell) and returns what it printed. */
export async function bash(
  script: string,
  options: { cwd?: string; env?: Record<string, string>; timeoutMs?: number } = {},
): Promise<{ stdout: string; stderr: string }> {
  const child = execFileAsync('bash', ['-euo', 'pipefail', '-c', script], {
    cwd: options.cwd,
    env: { PATH: process.env.PATH ?? '', HOME: options.cwd ?? tmpdir(), ...options.env },
    timeout: options.timeoutMs ?? 60_000,
  });
  child.child.stdin?.end();
  return child;
}
