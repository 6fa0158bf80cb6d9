#!/usr/bin/env node
// Builds the server (TypeScript → dist/) and the dashboard (Vite → web/dist/). With
// --if-needed (npm install, npm start, the test setup), each part is rebuilt only when one
// of its sources is newer than its last build, so restarts stay instant.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const ifNeeded = process.argv.includes('--if-needed');

const parts = [
  {
    name: 'the server',
    stamp: join(root, 'dist', '.build-stamp'),
    inputs: ['src', 'package.json', 'tsconfig.json', 'tsconfig.build.json'],
    command: [join(root, 'node_modules', '.bin', 'tsc'), ['-p', join(root, 'tsconfig.build.json')], root],
  },
  {
    name: 'the dashboard',
    stamp: join(root, 'web', 'dist', '.build-stamp'),
    inputs: ['web/src', 'web/index.html', 'web/package.json', 'web/vite.config.ts', 'web/tsconfig.json'],
    command: [join(root, 'node_modules', '.bin', 'vite'), ['build', '--logLevel', 'warn'], join(root, 'web')],
  },
];

function newestMtime(path) {
  if (!existsSync(path)) return 0;
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = stat.mtimeMs;
  for (const entry of readdirSync(path)) newest = Math.max(newest, newestMtime(join(path, entry)));
  return newest;
}

for (const part of parts) {
  const stale =
    !ifNeeded ||
    !existsSync(part.stamp) ||
    Math.max(...part.inputs.map((p) => newestMtime(join(root, p)))) > statSync(part.stamp).mtimeMs;
  if (!stale) continue;
  process.stderr.write(`aibridge: building ${part.name}…\n`);
  const [command, args, cwd] = part.command;
  // Always a production build: run from the test setup, NODE_ENV is `test`, and Vite would
  // then bundle React's development build (several times slower to render).
  execFileSync(command, args, { stdio: 'inherit', cwd, env: { ...process.env, NODE_ENV: 'production' } });
  writeFileSync(part.stamp, new Date().toISOString());
}
