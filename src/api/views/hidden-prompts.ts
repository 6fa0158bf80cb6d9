import type { z } from 'zod';
import { ARGUMENTS_HIDDEN, PROMPT_HIDDEN } from '../../audit/prompt-policy.js';
import type { InterceptionView, SessionView } from './aibridge.js';
import type { SessionThreadsView } from './session-threads.js';

/**
 * The views with prompt text and tool-call arguments replaced by a marker, for a caller the
 * prompt policy (AIBRIDGE_PROMPT_READERS=owners) keeps from reading them. Every endpoint
 * that shows either passes its answer through one of these, so the text never leaves the
 * server and the dashboard and CLI show the marker where the text would be.
 */
export function hideInterceptionText(
  view: z.infer<typeof InterceptionView>,
): z.infer<typeof InterceptionView> {
  return {
    ...view,
    user_prompts: view.user_prompts.map((p) => ({ ...p, prompt: PROMPT_HIDDEN, prompt_hidden: true })),
    tool_usages: view.tool_usages.map((t) => ({ ...t, input: ARGUMENTS_HIDDEN, input_hidden: true })),
  };
}

/** A session row without its last prompt's text. */
export function hideSessionText(view: z.infer<typeof SessionView>): z.infer<typeof SessionView> {
  return view.last_prompt === undefined
    ? view
    : { ...view, last_prompt: PROMPT_HIDDEN, last_prompt_hidden: true };
}

/** A session's threads without their prompts' text and tool-call arguments. */
export function hideThreadText(view: z.infer<typeof SessionThreadsView>): z.infer<typeof SessionThreadsView> {
  return {
    ...view,
    threads: view.threads.map((thread) => ({
      ...thread,
      ...(thread.prompt === undefined ? {} : { prompt: PROMPT_HIDDEN, prompt_hidden: true }),
      agentic_actions: thread.agentic_actions.map((action) => ({
        ...action,
        tool_calls: action.tool_calls.map((c) => ({ ...c, input: ARGUMENTS_HIDDEN, input_hidden: true })),
      })),
    })),
  };
}
