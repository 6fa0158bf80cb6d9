import { Command } from 'commander';
import { VERSION } from './app.js';
import { registerInterceptionCommands, registerSessionCommands } from './cli/activity.js';
import { registerDemoCommand } from './cli/demo.js';
import { CliError } from './cli/output.js';
import { registerServerCommand } from './cli/server.js';
import { registerTokenCommands } from './cli/tokens.js';
import { registerUserCommands } from './cli/users.js';
import { ConfigError } from './config.js';
import { DataDirBusyError } from './db/data-dir-lock.js';
import { errorMessage } from './errors.js';

const addDatabaseFlags = (command: Command): Command =>
  command
    .option('--database-url <url>', 'PostgreSQL URL (DATABASE_URL); unset = embedded PGlite')
    .option('--data-dir <dir>', 'embedded database directory (AIBRIDGE_DATA_DIR, default ./.aibridge)');

/** Builds the `aibridge` command tree; exported so tests can run commands in-process. */
export function buildProgram(): Command {
  const program = new Command('aibridge')
    .description('An AI gateway for coding agents')
    .version(VERSION)
    .showHelpAfterError();
  registerServerCommand(program);
  registerUserCommands(program, addDatabaseFlags);
  registerTokenCommands(program, addDatabaseFlags);
  registerInterceptionCommands(program);
  registerSessionCommands(program);
  registerDemoCommand(program);
  return program;
}

/** Runs the CLI; every known failure is one line on stderr and a meaningful exit code. */
export async function main(argv: string[]): Promise<void> {
  try {
    await buildProgram().parseAsync(argv);
  } catch (error) {
    const code = error instanceof CliError ? error.exitCode : error instanceof ConfigError ? 2 : 1;
    const known =
      error instanceof CliError || error instanceof ConfigError || error instanceof DataDirBusyError;
    process.stderr.write(`aibridge: ${known ? errorMessage(error) : describe(error)}\n`);
    process.exit(code);
  }
}

function describe(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'EADDRINUSE') return `cannot listen: the address is already in use (${errorMessage(error)})`;
  if (code === 'ECONNREFUSED') return `cannot reach the database: ${errorMessage(error)}`;
  return errorMessage(error);
}
