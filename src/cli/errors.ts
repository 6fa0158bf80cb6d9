/**
 * A failure the CLI reports as one line on stderr: exit code 1 for a failure (the server
 * refused, could not be reached, a row was missing), 2 for a usage mistake.
 */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
  }
}

/** A mistake on the command line (a bad flag or value, something missing): exit code 2. */
export class UsageError extends CliError {
  constructor(message: string) {
    super(message, 2);
  }
}
