import { loadPromptPolicy, type PromptPolicy, PromptPolicyError } from '../audit/prompt-policy.js';
import { ConfigError, type Env, parseChoice, parseDuration, type Read } from './parse.js';

/** When the start of an interception is committed: before the upstream call, or with its batch. */
export type RecordingMode = 'durable' | 'fast';

/** What the recorder keeps, for how long, and how it groups and closes interceptions. */
export interface RecordingConfig {
  /** How long interceptions are kept; 0 keeps them forever. */
  retentionMs: number;
  /** An interception still open this long after it started was left by a dead process; 0 = never reap. */
  interruptedAfterMs: number;
  /** How long a conversation without a client session id stays joinable by its fingerprint. */
  sessionIdleMs: number;
  /**
   * `durable` (default): an interception's start row is committed before its request goes
   * upstream. `fast`: the start row joins the recorder's next batch and the request goes up at
   * once; a crash of the process can lose the last flush interval's interceptions.
   */
  recordingMode: RecordingMode;
  /** What the recorder keeps of prompts and tool-call arguments, and who may read them. */
  prompts: PromptPolicy;
}

/** The recording settings that have a flag (the prompt policy is env-only). */
export const RECORDING_SETTINGS = {
  retention: { env: ['AIBRIDGE_RETENTION'], fallback: '60d' },
  interruptedAfter: { env: ['AIBRIDGE_INTERRUPTED_AFTER'], fallback: '1h' },
  sessionIdleWindow: { env: ['AIBRIDGE_SESSION_IDLE_WINDOW'], fallback: '2h' },
  recordingMode: { env: ['AIBRIDGE_RECORDING_MODE'], fallback: 'durable' },
};

/** Reads the recording settings; throws ConfigError naming a bad one. */
export function loadRecordingConfig(read: Read<typeof RECORDING_SETTINGS>, env: Env): RecordingConfig {
  return {
    retentionMs: parseDuration(read('retention')),
    interruptedAfterMs: parseDuration(read('interruptedAfter')),
    sessionIdleMs: parseDuration(read('sessionIdleWindow')),
    recordingMode: parseChoice(read('recordingMode'), ['durable', 'fast'] as const),
    prompts: promptPolicyOf(env),
  };
}

function promptPolicyOf(env: Env): PromptPolicy {
  try {
    return loadPromptPolicy(env);
  } catch (error) {
    throw error instanceof PromptPolicyError ? new ConfigError(error.message) : error;
  }
}
