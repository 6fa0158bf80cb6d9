import { Command, CommanderError } from 'commander';
import { registerAuditCommands } from './cli/audit.js';
import { registerBudgetCommands } from './cli/budgets.js';
import { registerCostCommands } from './cli/cost.js';
import { registerDemoCommand } from './cli/demo.js';
import { CliError } from './cli/errors.js';
import { registerExportCommands } from './cli/export.js';
import { registerFacetCommands } from './cli/facets.js';
import { registerGroupCommands } from './cli/groups.js';
import { registerInterceptionCommands } from './cli/interceptions.js';
import { registerLoginCommands } from './cli/login.js';
import { registerProviderCommands } from './cli/providers.js';
import { registerPurgeCommand } from './cli/purge.js';
import { registerServerCommand } from './cli/server.js';
import { registerSessionCommands } from './cli/sessions.js';
import { registerTokenCommands } from './cli/tokens.js';
import { registerUserCommands } from './cli/users.js';
import { ConfigError } from './config.js';
import { DataDirBusyError } from './db/data-dir-lock.js';
import { errorMessage } from './errors.js';
import { VERSION } from './version.js';

const HELP_FOOTER = `
Every command that talks to a server uses, in this order: --url/--token, then
AIBRIDGE_URL/AIBRIDGE_TOKEN, then the login stored by \`aibridge login\`.
Exit codes: 0 ok, 1 failure, 2 usage mistake. Colour only on a terminal, never with NO_COLOR.
`;

/** Builds the `aibridge` command tree; exported so tests can run commands in-process. */
export function buildProgram(): Command {
  const program = new Command('aibridge')
    .description('An AI gateway for coding agents, and its terminal client')
    .version(VERSION)
    // Usage mistakes are reported by main in one line with exit code 2, not by commander.
    .exitOverride()
    .configureOutput({ outputError: () => {} })
    .addHelpText('after', HELP_FOOTER);
  registerServerCommand(program);
  registerLoginCommands(program);
  registerSessionCommands(program);
  registerInterceptionCommands(program);
  registerFacetCommands(program);
  registerExportCommands(program);
  registerUserCommands(program);
  registerProviderCommands(program);
  registerTokenCommands(program);
  registerGroupCommands(program);
  registerAuditCommands(program);
  registerBudgetCommands(program);
  registerPurgeCommand(program);
  registerCostCommands(program);
  registerDemoCommand(program);
  return program;
}

/** Runs the CLI; every known failure is one line on stderr and a meaningful exit code. */
export async function main(argv: string[]): Promise<void> {
  // `aibridge sessions list | head`: a closed pipe ends the command quietly.
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(0);
  });
  try {
    await buildProgram().parseAsync(argv);
  } catch (error) {
    if (error instanceof CommanderError) {
      if (
        error.exitCode === 0 ||
        error.code === 'commander.helpDisplayed' ||
        error.code === 'commander.version'
      ) {
        process.exit(error.exitCode);
      }
      // `aibridge` or `aibridge sessions` alone printed its help (to stderr): a usage mistake.
      if (error.code === 'commander.help') process.exit(2);
      fail(`${oneLine(error.message.replace(/^error: /, ''))} (see --help)`, 2);
    }
    const code = error instanceof CliError ? error.exitCode : error instanceof ConfigError ? 2 : 1;
    const known =
      error instanceof CliError || error instanceof ConfigError || error instanceof DataDirBusyError;
    fail(known ? errorMessage(error) : describe(error), code);
  }
}

function fail(message: string, code: number): never {
  process.stderr.write(`aibridge: ${oneLine(message)}\n`);
  process.exit(code);
}

function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, ' ').trim();
}

function describe(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'EADDRINUSE') return `cannot listen: the address is already in use (${errorMessage(error)})`;
  if (code === 'ECONNREFUSED') return `cannot reach the database: ${errorMessage(error)}`;
  return errorMessage(error);
}
