import { parseChoice, parseSize, type Read } from './parse.js';

/** What the gateway does while the database is unreachable. */
export interface OutageConfig {
  /**
   * While the database is unreachable: `spool` journals interceptions in `<dataDir>/spool`
   * (up to `spoolMaxBytes`) and keeps serving; `refuse` answers 503 (and loses what shutdown
   * cannot write).
   */
  outage: { mode: 'spool' | 'refuse'; spoolMaxBytes: number };
}

/** The outage settings, each with a flag. */
export const OUTAGE_SETTINGS = {
  outageMode: { env: ['AIBRIDGE_OUTAGE_MODE'], fallback: 'spool' },
  spoolMaxSize: { env: ['AIBRIDGE_SPOOL_MAX_SIZE'], fallback: '1GiB' },
};

/** Reads the outage settings; throws ConfigError naming a bad one. */
export function loadOutageConfig(read: Read<typeof OUTAGE_SETTINGS>): OutageConfig {
  return {
    outage: {
      mode: parseChoice(read('outageMode'), ['spool', 'refuse'] as const),
      spoolMaxBytes: parseSize(read('spoolMaxSize')),
    },
  };
}
