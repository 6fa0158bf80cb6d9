import password from '@inquirer/password';
import type { Command } from 'commander';
import { errorMessage } from '../errors.js';
import {
  ApiClient,
  type ApiFlags,
  addApiFlags,
  normaliseUrl,
  resolveConnection,
  type Source,
} from './api-client.js';
import type { Budget, User } from './api-types.js';
import { tokenFromBrowser } from './browser-login.js';
import { CliError, UsageError } from './errors.js';
import { addOutputFlag, withExamples } from './flags.js';
import { localTime } from './format.js';
import { deleteLogin, loginFile, saveLogin } from './login-store.js';
import { printJson, writeText } from './output.js';
import { terminalOf } from './terminal.js';

/** `aibridge login|logout|whoami`: sign in once, and every command after uses that server. */
export function registerLoginCommands(program: Command): void {
  const login = program
    .command('login [url]')
    .description(
      'Sign in to a server (in the browser, or with a token) and store the login for every later command',
    )
    .option(
      '--token <token>',
      'the API token (default: AIBRIDGE_TOKEN, else the browser on a terminal, else read from stdin)',
    )
    .option('--web', 'sign in in the browser even when stdin is not a terminal')
    .option('--no-browser', 'print the sign-in page instead of opening a browser')
    .option('--paste', 'prompt for a token instead of signing in in the browser');
  withExamples(login, [
    'aibridge login https://aibridge.example.com     # opens the browser: single sign-on or token',
    'aibridge login https://aibridge.example.com --no-browser   # prints the page to open',
    'aibridge login http://127.0.0.1:3000 --paste    # prompts for the token, without echo',
    'aibridge login https://aibridge.example.com < token.txt',
    'AIBRIDGE_URL=https://aibridge.example.com AIBRIDGE_TOKEN=... aibridge login',
  ]);
  login.addHelpText(
    'after',
    `\nThe login is stored in ${loginFile()} (readable by you only).\n` +
      'Every command uses it unless --url/--token or AIBRIDGE_URL/AIBRIDGE_TOKEN say otherwise (flags first).\n',
  );
  login.action(async (rawUrl: string | undefined, flags: LoginFlags) => {
    const given = rawUrl ?? process.env.AIBRIDGE_URL;
    if (!given) throw new UsageError('name the server: aibridge login <url> (or set AIBRIDGE_URL)');
    const url = normaliseUrl(given);
    const token = (await chooseToken(url, flags)).trim();
    if (!token) throw new UsageError('no token given');
    const client = new ApiClient({ url, token, urlFrom: 'flag', tokenFrom: 'flag' });
    const me = await client.get<User>('/api/v2/users/me');
    const file = await saveLogin({ url, token, username: me.username });
    process.stderr.write(`Logged in to ${url} as ${me.username} (${me.role}). Saved in ${file}.\n`);
  });

  const logout = program
    .command('logout')
    .description('Forget the stored login (the token itself stays valid)');
  withExamples(logout, ['aibridge logout']);
  logout.action(async () => {
    const existed = await deleteLogin();
    process.stderr.write(existed ? `Logged out: removed ${loginFile()}.\n` : 'Not logged in.\n');
  });

  const whoami = program
    .command('whoami')
    .description('Show who the current token belongs to, on which server');
  addApiFlags(addOutputFlag(whoami, ['table', 'json']));
  withExamples(whoami, ['aibridge whoami', 'aibridge whoami -o json | jq -r .role']);
  whoami.action(async (flags: ApiFlags & { output: 'table' | 'json' }) => {
    const connection = await resolveConnection(flags);
    const client = new ApiClient(connection);
    const me = await client.get<User>('/api/v2/users/me');
    const { budgets } = await client.get<{ budgets: Budget[] }>('/api/v2/aibridge/budgets/me');
    if (flags.output === 'json') return printJson({ ...me, budgets });
    const c = terminalOf().colors;
    const name = me.name && me.name !== me.username ? ` (${me.name})` : '';
    await writeText(
      process.stdout,
      [
        `${c.bold(me.username)}${name}, ${me.role}`,
        `  ${c.dim('server')}  ${connection.url}  ${c.dim(`(${describeSource(connection.urlFrom, 'AIBRIDGE_URL', '--url')})`)}`,
        `  ${c.dim('token')}   ${connection.token.slice(0, 10)}-…  ${c.dim(`(${describeSource(connection.tokenFrom, 'AIBRIDGE_TOKEN', '--token')})`)}`,
        ...budgets.map(
          (b) =>
            `  ${c.dim('budget')}  $${b.remaining_usd} left of $${b.limit_usd}/${b.period} (${b.subject}), resets ${localTime(b.resets_at)}`,
        ),
        '',
      ].join('\n'),
    );
  });
}

interface LoginFlags {
  token?: string;
  web?: boolean;
  browser: boolean;
  paste?: boolean;
}

/** A given token first; else the browser (on a terminal, or with --web); else a prompt or stdin. */
async function chooseToken(url: string, flags: LoginFlags): Promise<string> {
  const given = flags.token ?? process.env.AIBRIDGE_TOKEN;
  if (given !== undefined) return given;
  if (flags.web || (process.stdin.isTTY && !flags.paste)) {
    return tokenFromBrowser(url, {
      openBrowser: flags.browser,
      print: (line) => process.stderr.write(`${line}\n`),
    });
  }
  return readToken();
}

function describeSource(source: Source, env: string, flag: string): string {
  if (source === 'flag') return flag;
  if (source === 'environment') return env;
  return `stored login, ${loginFile()}`;
}

/** The token from a prompt without echo on a terminal, else the first line of stdin. */
async function readToken(): Promise<string> {
  if (process.stdin.isTTY) {
    try {
      return await password({ message: 'API token' }, { output: process.stderr });
    } catch (error) {
      throw new CliError(`no token entered (${errorMessage(error)})`);
    }
  }
  let text = '';
  for await (const chunk of process.stdin) text += chunk;
  return text.split('\n')[0] ?? '';
}
