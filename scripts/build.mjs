#!/usr/bin/env node
// Builds the server (TypeScript → dist/). With --if-needed (npm start), does nothing when
// dist/ is newer than every source file, so restarts are instant.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const stamp = join(root, 'dist', '.build-stamp');
const inputs = ['src', 'package.json', 'tsconfig.json', 'tsconfig.build.json'];

function newestMtime(path) {
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = stat.mtimeMs;
  for (const entry of readdirSync(path)) newest = Math.max(newest, newestMtime(join(path, entry)));
  return newest;
}

const needed =
  !process.argv.includes('--if-needed') ||
  !existsSync(stamp) ||
  Math.max(...inputs.map((p) => newestMtime(join(root, p)))) > statSync(stamp).mtimeMs;

if (needed) {
  process.stderr.write('aibridge: building the server…\n');
  const tsc = join(root, 'node_modules', '.bin', 'tsc');
  execFileSync(tsc, ['-p', join(root, 'tsconfig.build.json')], { stdio: 'inherit', cwd: root });
  writeFileSync(stamp, new Date().toISOString());
}
