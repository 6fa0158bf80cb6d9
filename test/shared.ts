import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The team's shared material (`spec/`, `fixtures/`) lives beside the repository, as
 * `<repo>/../shared` (CI clones the repository there too), and is never copied in. A git
 * worktree sits deeper, so the nearest `shared` folder up the tree wins; `AIBRIDGE_SHARED_DIR`
 * points elsewhere when the checkout is somewhere else entirely.
 */
export function sharedPath(relative: string): string {
  const override = process.env.AIBRIDGE_SHARED_DIR;
  if (override) {
    const candidate = join(override, relative);
    if (existsSync(candidate)) return candidate;
    throw new Error(`${relative} not found in AIBRIDGE_SHARED_DIR=${override}`);
  }
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const candidate = join(dir, 'shared', relative);
    if (existsSync(candidate)) return candidate;
    const parent = dirname(dir);
    if (parent === dir) {
      throw new Error(
        `shared/${relative} not found beside the repository (expected ../shared); set AIBRIDGE_SHARED_DIR`,
      );
    }
    dir = parent;
  }
}
