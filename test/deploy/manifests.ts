import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';

const ROOT = join(import.meta.dirname, '..', '..');
export const KUBERNETES_DIR = join(ROOT, 'deploy', 'kubernetes');

/** A Kubernetes object as the manifests write it; only the fields the checks read are typed. */
export interface Manifest {
  kind: string;
  metadata: { name: string; annotations?: Record<string, string> };
  // Each kind has its own spec; the checks read them through `at` below.
  [field: string]: unknown;
}

/** Every object in deploy/kubernetes/, keyed by kind (one of each). */
export function loadManifests(): Map<string, Manifest> {
  const byKind = new Map<string, Manifest>();
  for (const file of readdirSync(KUBERNETES_DIR).filter((f) => f.endsWith('.yaml'))) {
    for (const doc of parseAllDocuments(readFileSync(join(KUBERNETES_DIR, file), 'utf8'))) {
      if (doc.errors.length > 0) throw new Error(`${file}: ${doc.errors.join('; ')}`);
      const manifest = doc.toJS() as Manifest;
      if (byKind.has(manifest.kind)) throw new Error(`two ${manifest.kind} objects in deploy/kubernetes`);
      byKind.set(manifest.kind, manifest);
    }
  }
  return byKind;
}

/** Reads a nested field (`at(m, 'spec', 'template', 'spec')`), failing with its path when absent. */
export function at<T = unknown>(value: unknown, ...path: Array<string | number>): T {
  let current = value;
  for (const key of path) {
    if (current === null || typeof current !== 'object' || !(key in current)) {
      throw new Error(`missing ${path.join('.')}`);
    }
    current = (current as Record<string | number, unknown>)[key];
  }
  return current as T;
}

/** One Dockerfile stage: its `FROM` line and its instructions (continuations joined). */
export interface DockerStage {
  from: string;
  name: string | undefined;
  instructions: Array<{ keyword: string; args: string }>;
}

/** Splits the Dockerfile into stages, without Docker (it is not needed to check its structure). */
export function dockerStages(): DockerStage[] {
  const text = readFileSync(join(ROOT, 'Dockerfile'), 'utf8').replace(/\\\n/g, ' ');
  const stages: DockerStage[] = [];
  for (const line of text.split('\n')) {
    const match = /^\s*([A-Z]+)\s+(.*)$/.exec(line);
    if (!match || line.trimStart().startsWith('#')) continue;
    const [, keyword = '', args = ''] = match;
    if (keyword === 'FROM') {
      const [from = '', , name] = args.split(/\s+/);
      stages.push({ from, name, instructions: [] });
    } else stages.at(-1)?.instructions.push({ keyword, args: args.trim() });
  }
  return stages;
}

/** The env var names src/config.ts and its parts in src/config/ read (quoted, as settings or direct reads). */
export function configuredNames(): Set<string> {
  const parts = readdirSync(join(ROOT, 'src', 'config')).filter(
    (f) => f.endsWith('.ts') && !f.endsWith('.test.ts'),
  );
  const source = [join(ROOT, 'src', 'config.ts'), ...parts.map((f) => join(ROOT, 'src', 'config', f))]
    .map((file) => readFileSync(file, 'utf8'))
    .join('\n');
  return new Set([...source.matchAll(/(?:'|env\.)([A-Z][A-Z0-9]*_[A-Z0-9_]+)/g)].map((m) => m[1] ?? ''));
}
