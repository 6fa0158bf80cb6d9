import { closeSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';

/** Another live process holds the embedded database. */
export class DataDirBusyError extends Error {}

/**
 * PGlite is one process's private PostgreSQL: a second process opening the same directory
 * would corrupt it. A pid file taken with O_EXCL (stale ones from dead processes are
 * reclaimed) makes the second opener fail with a clear message instead.
 */
export function lockDataDir(dataDir: string): () => void {
  const path = join(dataDir, 'aibridge.pid');
  if (heldHere.has(path)) throw busy(dataDir, process.pid);
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(path, 'wx');
      writeSync(fd, String(process.pid));
      closeSync(fd);
      heldHere.add(path);
      return () => {
        heldHere.delete(path);
        rmSync(path, { force: true });
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const holder = Number(readFileSync(path, 'utf8').trim());
      if (holder && holder !== process.pid && isAlive(holder)) {
        throw busy(dataDir, holder);
      }
      rmSync(path, { force: true });
    }
  }
  throw new DataDirBusyError(`could not lock ${dataDir}`);
}

/** Directories this process holds, so a second open in the same process is refused too. */
const heldHere = new Set<string>();

function busy(dataDir: string, holder: number): DataDirBusyError {
  return new DataDirBusyError(
    `the embedded database in ${dataDir} is in use by another aibridge process (pid ${holder}); ` +
      'stop it first, or use the REST API while it runs',
  );
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
