import { execFileSync } from 'node:child_process';

/** Tests that run the real `aibridge` binary need dist/ current; this builds it if stale. */
export default function setup(): void {
  execFileSync(process.execPath, ['scripts/build.mjs', '--if-needed'], { stdio: 'inherit' });
}
