import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The checked-in fixtures (`test/fixtures/`, see its README): a clone needs nothing beside it. */
const FIXTURES_DIR: string = fileURLToPath(new URL('./fixtures/', import.meta.url));

/** A txtar archive: its leading comment and its named sections, bytes exactly as in the file. */
export interface Txtar {
  name: string;
  comment: string;
  sections: Map<string, string>;
}

/** Parses txtar text: `-- name --` lines start sections; everything before the first is the comment. */
export function parseTxtar(name: string, text: string): Txtar {
  const sections = new Map<string, string>();
  const marker = /^-- (.+?) --$/gm;
  const matches = [...text.matchAll(marker)];
  const comment = matches.length > 0 ? text.slice(0, matches[0]?.index) : text;
  matches.forEach((match, i) => {
    const start = (match.index ?? 0) + match[0].length + 1;
    const end = matches[i + 1]?.index ?? text.length;
    sections.set(match[1] as string, text.slice(start, end));
  });
  return { name, comment, sections };
}

/** Every txtar under `fixtures/<dir>`, by path relative to that directory (`anthropic/simple.txtar`). */
export function loadTxtars(dir = 'coder-aibridge'): Txtar[] {
  const root = join(FIXTURES_DIR, dir);
  const out: Txtar[] = [];
  const walk = (path: string) => {
    for (const entry of readdirSync(path, { withFileTypes: true })) {
      const full = join(path, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.name.endsWith('.txtar'))
        out.push(parseTxtar(relative(root, full), readFileSync(full, 'utf8')));
    }
  };
  walk(root);
  return out.sort((a, b) => a.name.localeCompare(b.name));
}

/** One txtar by its path under `fixtures/coder-aibridge`. */
export function loadTxtar(name: string): Txtar {
  return parseTxtar(name, readFileSync(join(FIXTURES_DIR, 'coder-aibridge', name), 'utf8'));
}

/** The section's text; throws when missing so a renamed section fails loudly. */
export function section(archive: Txtar, name: string): string {
  const text = archive.sections.get(name);
  if (text === undefined) throw new Error(`${archive.name} has no "${name}" section`);
  return text;
}

/** A raw HTTP response section (`HTTP/2.0 400 …`), split for replay. */
export interface RawHttpResponse {
  status: number;
  headers: Array<[string, string]>;
  body: string;
}

/** Parses a section that starts with `HTTP/`; the body is cut at Content-Length when given. */
export function parseRawHttp(text: string): RawHttpResponse {
  const split = text.indexOf('\n\n');
  const head = text.slice(0, split).split('\n');
  const status = Number(head[0]?.split(' ')[1]);
  const headers = head.slice(1).map((line) => {
    const colon = line.indexOf(':');
    return [line.slice(0, colon).trim(), line.slice(colon + 1).trim()] as [string, string];
  });
  let body = text.slice(split + 2);
  const length = headers.find(([name]) => name.toLowerCase() === 'content-length')?.[1];
  if (length !== undefined) body = Buffer.from(body).subarray(0, Number(length)).toString();
  return { status, headers, body };
}

/** A request captured from a real client (`fixtures/clients/*.json`). */
export interface ClientCapture {
  name: string;
  note: string;
  method: string;
  url: string;
  rawHeaders: Array<[string, string]>;
  body: unknown;
}

/** Every client capture, by file name without `.json`. */
export function loadClientCaptures(): ClientCapture[] {
  const dir = join(FIXTURES_DIR, 'clients');
  return readdirSync(dir)
    .filter((file) => file.endsWith('.json'))
    .sort()
    .map((file) => ({
      name: file.replace(/\.json$/, ''),
      ...(JSON.parse(readFileSync(join(dir, file), 'utf8')) as Omit<ClientCapture, 'name'>),
    }));
}

/** One client capture by name (`claude-code-print`). */
export function loadClientCapture(name: string): ClientCapture {
  const capture = loadClientCaptures().find((c) => c.name === name);
  if (!capture) throw new Error(`no client capture ${name}`);
  return capture;
}

/** A capture's headers the way node presents them (lower-case keys). */
export function captureHeaders(capture: ClientCapture): Record<string, string> {
  return Object.fromEntries(capture.rawHeaders.map(([k, v]) => [k.toLowerCase(), v]));
}
