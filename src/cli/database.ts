import { type Flags, loadConfig } from '../config.js';
import { Database } from '../db/database.js';

/** Flags every offline command accepts to find the database. */
export interface DatabaseFlags {
  databaseUrl?: string;
  dataDir?: string;
}

/**
 * Opens and migrates the configured database (same env/flags as the server) for the offline
 * commands, and always closes it afterwards.
 */
export async function withDatabase<T>(flags: DatabaseFlags, work: (db: Database) => Promise<T>): Promise<T> {
  const config = loadConfig(flags as Flags);
  const db = await Database.open({ url: config.databaseUrl, dataDir: config.dataDir });
  try {
    await db.migrate();
    return await work(db);
  } finally {
    await db.close();
  }
}
