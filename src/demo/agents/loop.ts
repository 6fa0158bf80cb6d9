import type { Agent } from './clients.js';
import { toolOutput } from './tools.js';

/** What one human prompt cost: the interceptions it caused and the tools the agent ran. */
export interface ThreadRun {
  interceptionIds: string[];
  toolCalls: number;
}

/** A gateway answer that was not a 200. */
class GatewayError extends Error {
  constructor(
    readonly status: number,
    body: string,
  ) {
    super(`gateway answered ${status}: ${body.slice(0, 300)}`);
  }
}

/**
 * Runs one thread as an agent does: send the prompt, run every tool the model calls, send the
 * results back, until the model answers without calls (or `maxSteps` requests were made).
 * `gateway` is the server's `/api/v2/aibridge` URL.
 */
export async function runThread(
  gateway: string,
  agent: Agent,
  prompt: string,
  maxSteps = 12,
): Promise<ThreadRun> {
  agent.nextTurn();
  agent.conversation.prompt(prompt);
  const run: ThreadRun = { interceptionIds: [], toolCalls: 0 };
  for (let step = 0; step < maxSteps; step++) {
    const response = await fetch(`${gateway}${agent.conversation.path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...agent.headers() },
      body: JSON.stringify(agent.conversation.body()),
    });
    if (response.status !== 200) throw new GatewayError(response.status, await response.text());
    const id = response.headers.get('x-aibridge-interception-id');
    if (id) run.interceptionIds.push(id);
    const calls = await agent.conversation.absorb(response);
    if (calls.length === 0) break;
    run.toolCalls += calls.length;
    agent.conversation.toolResults(calls.map((call) => ({ call, output: toolOutput(call) })));
  }
  return run;
}
