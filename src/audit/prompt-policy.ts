import { type Actor, canReadEveryone } from '../auth/roles.js';

/** How much of a prompt (and of a tool call's arguments) the recorder keeps. */
type PromptRecording = 'full' | 'truncated' | 'off';
/** Who reads prompt text: each person their own (owners and auditors all), or owners and auditors only. */
type PromptReaders = 'everyone' | 'owners';

/** The prompt policy from `AIBRIDGE_PROMPT_RECORDING`, `AIBRIDGE_PROMPT_TRUNCATE_CHARS`, `AIBRIDGE_PROMPT_READERS`. */
export interface PromptPolicy {
  recording: PromptRecording;
  /** With `truncated`: how many characters of each prompt and tool-call argument text are kept. */
  truncateChars: number;
  readers: PromptReaders;
}

/** What the API shows instead of a prompt, or a tool call's arguments, the caller may not read. */
export const PROMPT_HIDDEN = '[prompt hidden by policy]';
export const ARGUMENTS_HIDDEN = '[arguments hidden by policy]';

const DEFAULT_TRUNCATE_CHARS = 2000;

/** A policy setting that cannot be used; the message names the variable. */
export class PromptPolicyError extends Error {}

/** Reads the policy from the environment; the defaults record everything, as before the policy existed. */
export function loadPromptPolicy(env: Record<string, string | undefined>): PromptPolicy {
  const recording = oneOf(env, 'AIBRIDGE_PROMPT_RECORDING', ['full', 'truncated', 'off'], 'full');
  const readers = oneOf(env, 'AIBRIDGE_PROMPT_READERS', ['everyone', 'owners'], 'everyone');
  const chars = env.AIBRIDGE_PROMPT_TRUNCATE_CHARS?.trim() || String(DEFAULT_TRUNCATE_CHARS);
  if (!/^\d{1,9}$/.test(chars) || Number(chars) < 1) {
    throw new PromptPolicyError(
      `invalid AIBRIDGE_PROMPT_TRUNCATE_CHARS "${chars}": expected a whole number of characters, at least 1`,
    );
  }
  return { recording, truncateChars: Number(chars), readers };
}

/**
 * The text the recorder keeps of a prompt or of tool-call arguments under the policy. Cut on
 * a code point boundary so a truncated prompt never ends in half a surrogate pair.
 */
export function recordedText(text: string, policy: PromptPolicy): string {
  if (policy.recording === 'full') return text;
  if (policy.recording === 'off') return '';
  if (text.length <= policy.truncateChars) return text;
  const end = isHighSurrogate(text.charCodeAt(policy.truncateChars - 1))
    ? policy.truncateChars - 1
    : policy.truncateChars;
  return text.slice(0, end);
}

/**
 * Whether prompt text is withheld from this caller. Under `everyone`, the read scope already
 * limits members to their own interceptions; under `owners`, members see none at all.
 */
export function promptsHiddenFrom(actor: Actor, policy: PromptPolicy): boolean {
  return policy.readers === 'owners' && !canReadEveryone(actor);
}

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}

function oneOf<T extends string>(
  env: Record<string, string | undefined>,
  name: string,
  allowed: readonly T[],
  fallback: T,
): T {
  const value = env[name]?.trim().toLowerCase() || fallback;
  if ((allowed as readonly string[]).includes(value)) return value as T;
  throw new PromptPolicyError(`invalid ${name} "${value}": expected one of ${allowed.join(', ')}`);
}
