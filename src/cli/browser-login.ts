import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import open from 'open';
import { errorMessage } from '../errors.js';
import { CliError } from './errors.js';

/** How long `aibridge login` waits for the browser before giving up. */
const WAIT_MS = 5 * 60_000;

const PAGE = (title: string, text: string) =>
  `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${title} · aibridge</title></head>` +
  `<body style="font:16px/1.5 system-ui,sans-serif;max-width:36rem;margin:15vh auto;padding:0 1rem">` +
  `<h1>${title}</h1><p>${text}</p></body></html>`;

/**
 * The browser half of `aibridge login`: listens on a random port of 127.0.0.1, sends the
 * person to the dashboard's `/cli-login` page (which signs them in by any means the server
 * offers, single sign-on or token), and waits for the page to hand a new personal token back
 * to that loopback address with the `state` this run chose.
 */
export async function tokenFromBrowser(
  serverUrl: string,
  options: { openBrowser: boolean; print: (line: string) => void },
): Promise<string> {
  const state = randomBytes(24).toString('base64url');
  let settle: { resolve: (token: string) => void; reject: (error: Error) => void } | undefined;
  const received = new Promise<string>((resolve, reject) => {
    settle = { resolve, reject };
  });
  const listener = createServer((request, response) => answer(request, response, state, settle));
  await new Promise<void>((resolve, reject) => {
    listener.once('error', reject);
    listener.listen(0, '127.0.0.1', resolve);
  });
  const { port } = listener.address() as AddressInfo;
  const callback = `http://127.0.0.1:${port}/callback`;
  const url = `${serverUrl}/cli-login?${new URLSearchParams({ callback, state })}`;
  const timer = setTimeout(
    () =>
      settle?.reject(new CliError('no answer from the browser within 5 minutes: run aibridge login again')),
    WAIT_MS,
  );
  try {
    options.print(`To sign in, open this page on this computer:\n\n  ${url}\n`);
    if (options.openBrowser) {
      await open(url).catch((error: unknown) =>
        options.print(`(could not open a browser: ${errorMessage(error)}; open the page yourself)`),
      );
    }
    return await received;
  } finally {
    clearTimeout(timer);
    listener.closeAllConnections();
    await new Promise((resolve) => listener.close(resolve));
  }
}

function answer(
  request: IncomingMessage,
  response: ServerResponse,
  state: string,
  settle: { resolve: (token: string) => void; reject: (error: Error) => void } | undefined,
): void {
  const url = new URL(request.url ?? '/', 'http://127.0.0.1');
  const reply = (status: number, title: string, text: string) => {
    response.writeHead(status, { 'content-type': 'text/html; charset=utf-8', connection: 'close' });
    response.end(PAGE(title, text));
  };
  if (url.pathname !== '/callback') {
    reply(404, 'Not found', 'This address only receives the CLI sign-in.');
    return;
  }
  const token = url.searchParams.get('token');
  if (url.searchParams.get('state') !== state || !token) {
    // Not this run's answer (a stale tab, or another page guessing the port): keep waiting.
    reply(400, 'Sign-in not accepted', 'This answer does not belong to the running aibridge login.');
    return;
  }
  reply(
    200,
    'Signed in',
    'The aibridge CLI has its token. You can close this tab and go back to the terminal.',
  );
  settle?.resolve(token);
}
