import { type Agent, anthropicSdk, claudeCode, codex, cursor, openaiSdk } from './agents/clients.js';
import { runThread } from './agents/loop.js';
import type { Person } from './people.js';
import { CLAUDE_CODE_TASKS, CODEX_TASKS, CURSOR_TASKS, SCRIPT_TASKS } from './tasks.js';

/** What the traffic produced so far. */
export interface TrafficSummary {
  threads: number;
  interceptions: number;
  toolCalls: number;
}

/** Follow-ups the trickle sends into running sessions; the model improvises a short loop for each. */
const FOLLOW_UPS = [
  'Also handle tabs as separators.',
  'Can you double-check the error handling there?',
  'Run the whole test suite once more.',
  'Add a short comment explaining why.',
  'Now update the changelog.',
  'Is there anything similar elsewhere in the code base?',
];

type Step = [agent: Agent, prompt: string];

const prompt = (tasks: Array<{ prompt: string }>, index: number) => tasks[index % tasks.length]?.prompt ?? '';

/**
 * The demo's story, sent through the real gateway: Alice works in Claude Code (two sessions,
 * tool loops, thinking, cache hits), Bob in Codex (exec and TUI, shell calls, patches,
 * reasoning summaries), Dan in Cursor and both agents, Carol runs SDK scripts (blocking and
 * streaming, with and without a function call). Each person does one thing at a time; people
 * work side by side. A trickle afterwards keeps adding threads so the dashboard stays alive.
 */
export class DemoTraffic {
  readonly summary: TrafficSummary = { threads: 0, interceptions: 0, toolCalls: 0 };
  private readonly sessions: Agent[] = [];
  private trickleTimer: NodeJS.Timeout | undefined;
  private trickling: Promise<void> | undefined;
  private tick = 0;

  /** `gateway` is the server's `/api/v2/aibridge` URL; `people` must include alice, bob, carol and dan. */
  constructor(
    private readonly gateway: string,
    private readonly people: ReadonlyMap<string, Person>,
  ) {}

  /** Runs the opening story and resolves when every thread has been answered. */
  async burst(): Promise<TrafficSummary> {
    const token = (username: string) => {
      const person = this.people.get(username);
      if (!person) throw new Error(`the demo traffic needs a user named ${username}`);
      return person.token;
    };
    const [alice, bob, carol, dan] = ['alice', 'bob', 'carol', 'dan'].map(token) as [
      string,
      string,
      string,
      string,
    ];
    const aliceA = claudeCode(alice);
    const aliceB = claudeCode(alice, { model: 'claude-opus-4-1' });
    const bobC = codex(bob);
    const bobD = codex(bob, { tui: true });
    const danE = claudeCode(dan);
    const danF = codex(dan, { model: 'gpt-5' });
    this.sessions.push(aliceA, aliceB, bobC, bobD, danE, danF);
    const scripts: Step[] = SCRIPT_TASKS.map((task, i) => [
      this.script(carol, i, task.steps.length > 0),
      task.prompt,
    ]);
    const lanes: Step[][] = [
      [
        [aliceA, prompt(CLAUDE_CODE_TASKS, 0)],
        [aliceA, prompt(CLAUDE_CODE_TASKS, 1)],
        [aliceB, prompt(CLAUDE_CODE_TASKS, 2)],
        [aliceB, prompt(CLAUDE_CODE_TASKS, 3)],
      ],
      [
        [bobC, prompt(CODEX_TASKS, 0)],
        [bobC, prompt(CODEX_TASKS, 2)],
        [bobD, prompt(CODEX_TASKS, 1)],
      ],
      [
        [cursor(dan), prompt(CURSOR_TASKS, 0)],
        [danE, prompt(CLAUDE_CODE_TASKS, 4)],
        [cursor(dan), prompt(CURSOR_TASKS, 1)],
        [danF, prompt(CODEX_TASKS, 3)],
      ],
      scripts,
    ];
    await Promise.all(
      lanes.map(async (lane) => {
        for (const [agent, text] of lane) await this.run(agent, text);
      }),
    );
    return { ...this.summary };
  }

  /**
   * Every `intervalMs`, one more thread: a follow-up in one of the sessions, or every third
   * time a fresh SDK script run. A tick is skipped while the previous one is still running.
   */
  startTrickle(intervalMs: number, onError: (error: unknown) => void = () => {}): void {
    if (intervalMs <= 0 || this.trickleTimer) return;
    this.trickleTimer = setInterval(() => {
      if (this.trickling) return;
      this.trickling = this.trickleOnce()
        .catch(onError)
        .finally(() => {
          this.trickling = undefined;
        });
    }, intervalMs);
  }

  /** Stops the trickle and waits for a thread in progress to finish. */
  async stop(): Promise<void> {
    clearInterval(this.trickleTimer);
    this.trickleTimer = undefined;
    await this.trickling;
  }

  private async trickleOnce(): Promise<void> {
    const tick = this.tick++;
    const carol = this.people.get('carol');
    if (tick % 3 === 2 && carol) {
      const task = SCRIPT_TASKS[tick % SCRIPT_TASKS.length];
      if (task) await this.run(this.script(carol.token, tick, task.steps.length > 0), task.prompt);
      return;
    }
    const agent = this.sessions[tick % this.sessions.length];
    if (agent) await this.run(agent, FOLLOW_UPS[tick % FOLLOW_UPS.length] ?? FOLLOW_UPS[0] ?? '');
  }

  /** Carol's scripts rotate over the SDKs, APIs and streaming modes; function-calling ones use Chat Completions. */
  private script(token: string, index: number, functions: boolean): Agent {
    if (functions) return openaiSdk(token, { weather: true, stream: index % 2 === 1 });
    switch (index % 4) {
      case 0:
        return anthropicSdk(token);
      case 1:
        return openaiSdk(token, { api: 'responses', stream: true, model: 'gpt-5-mini' });
      case 2:
        return openaiSdk(token);
      default:
        return anthropicSdk(token, { stream: true });
    }
  }

  private async run(agent: Agent, text: string): Promise<void> {
    const run = await runThread(this.gateway, agent, text);
    this.summary.threads++;
    this.summary.interceptions += run.interceptionIds.length;
    this.summary.toolCalls += run.toolCalls;
  }
}
