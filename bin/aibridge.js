#!/usr/bin/env node
// The `aibridge` command: runs the compiled CLI (npm start builds it when needed).
import { existsSync } from 'node:fs';

const entry = new URL('../dist/main.js', import.meta.url);
if (!existsSync(entry)) {
  process.stderr.write('aibridge: not built yet; run `npm run build` (or `npm start`) first\n');
  process.exit(1);
}
const { main } = await import(entry.href);
await main(process.argv);
