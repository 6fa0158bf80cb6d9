import type { Command } from 'commander';
import type { Demo } from '../demo/run.js';
import { errorMessage } from '../errors.js';
import { CliError } from './errors.js';
import { withExamples } from './flags.js';
import { stopOnSignals } from './signals.js';

interface DemoFlags {
  httpAddress?: string;
  trickle: string;
}

/** `aibridge demo`: a populated dashboard in one command, with nothing to configure. */
export function registerDemoCommand(program: Command): void {
  const command = program
    .command('demo')
    .description(
      'Run aibridge on a throwaway embedded database with a local fake provider, and send realistic agent traffic through the gateway',
    )
    .option('--http-address <host:port>', 'listen address (default 127.0.0.1:3000)')
    .option(
      '--trickle <seconds>',
      'seconds between background requests after the first burst (0 = none)',
      '20',
    );
  withExamples(command, ['aibridge demo', 'aibridge demo --http-address 127.0.0.1:4000 --trickle 0']);
  command.action(async (flags: DemoFlags) => {
    const seconds = Number(flags.trickle);
    if (!Number.isFinite(seconds) || seconds < 0)
      throw new CliError('--trickle must be a number of seconds', 2);
    process.stdout.write(
      'aibridge demo: starting the server and sending agent traffic through the gateway…\n',
    );
    const { startDemo } = await import('../demo/run.js');
    const demo = await startDemo({
      ...(flags.httpAddress ? { httpAddress: flags.httpAddress } : {}),
      trickleMs: seconds * 1000,
      onTrickleError: (error) =>
        process.stderr.write(`aibridge demo: background request failed: ${errorMessage(error)}\n`),
    });
    printBanner(demo, seconds);
    stopOnSignals('aibridge demo', () => {
      process.stdout.write('aibridge demo: stopping…\n');
      return demo.stop();
    });
  });
}

function printBanner(demo: Demo, trickleSeconds: number): void {
  const { url, story } = demo;
  const width = Math.max('Administrator'.length, ...demo.people.map((p) => p.name.length));
  const lines = [
    '',
    `aibridge demo is running on a throwaway database (${demo.dataDir}, deleted on exit).`,
    `${story.threads} threads, ${story.interceptions} requests and ${story.toolCalls} tool calls went through the gateway to a local fake provider.`,
    trickleSeconds > 0
      ? `A new thread follows every ${trickleSeconds} s.`
      : 'No background traffic (--trickle 0).',
    '',
    `  Dashboard   ${url}/`,
    '',
    'Sign in with a token (paste it on the dashboard):',
    '',
    `  ${'Administrator'.padEnd(width)}  owner    ${demo.ownerToken}`,
    ...demo.people.map((p) => `  ${p.name.padEnd(width)}  ${p.role.padEnd(7)}  ${p.token}`),
    '',
    'Point an agent at it too (the fake provider answers), e.g.:',
    `  ANTHROPIC_BASE_URL=${url}/api/v2/aibridge/anthropic ANTHROPIC_API_KEY=<a token above> claude`,
    '',
    'Ctrl-C stops everything.',
    '',
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
}
