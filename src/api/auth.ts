import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { SignInRefused } from '../auth/oidc/claims.js';
import {
  clearPendingCookie,
  clearSessionCookies,
  PENDING_COOKIE,
  readPendingCookie,
  SESSION_COOKIE,
  setPendingCookie,
  setSessionCookies,
} from '../auth/oidc/cookies.js';
import { signInErrorPage } from '../auth/oidc/page.js';
import { CallbackRejected } from '../auth/oidc/relying-party.js';
import { finishSignIn, safeNext } from '../auth/oidc/sign-in.js';
import { ApiError, errorMessage } from '../errors.js';
import type { ApiDeps } from './context.js';
import { type AnyRoute, defineRoute } from './route.js';

const AuthMethods = z
  .object({
    token: z.boolean().describe('Pasting an API token always works.'),
    oidc: z
      .object({
        provider_name: z.string().describe('Shown as "Sign in with <provider_name>".'),
        login_url: z.string().describe('Where the sign-in button sends the browser.'),
      })
      .nullable()
      .describe('Single sign-on, when the server has an identity provider configured.'),
  })
  .meta({ id: 'AuthMethods' });

const LoginQuery = z.object({
  next: z.string().optional().describe('A path on this server to return to once signed in.'),
});

const CallbackQuery = z
  .object({
    code: z.string().optional(),
    state: z.string().optional(),
    error: z.string().optional(),
    error_description: z.string().optional(),
  })
  .loose();

function enabled(deps: ApiDeps) {
  if (!deps.oidc || !deps.config.oidc)
    throw new ApiError(404, 'Single sign-on is not configured on this server.');
  return { rp: deps.oidc, config: deps.config.oidc };
}

/** Cookies are Secure when people reach the server over https. */
function secureCookies(deps: ApiDeps): boolean {
  return deps.config.oidc?.publicUrl.startsWith('https:') ?? false;
}

/** A failed callback: a page for the browser that landed here, the error envelope for anything else. */
function refuse(request: FastifyRequest, reply: FastifyReply, status: number, message: string) {
  if ((request.headers.accept ?? '').includes('text/html')) {
    return reply.code(status).type('text/html; charset=utf-8').send(signInErrorPage(message));
  }
  return reply.code(status).send({ message: 'Sign-in failed.', detail: message });
}

/** Sign-in and sign-out: single sign-on with the company's identity provider, and the session it starts. */
export const authRoutes: AnyRoute[] = [
  defineRoute({
    method: 'GET',
    path: '/api/v2/auth/methods',
    summary: 'How people can sign in to this server',
    tags: ['Authentication'],
    auth: false,
    response: AuthMethods,
    handler: async ({ deps }) => ({
      token: true,
      oidc: deps.config.oidc
        ? { provider_name: deps.config.oidc.providerName, login_url: '/api/v2/auth/oidc/login' }
        : null,
    }),
  }),
  defineRoute({
    method: 'GET',
    path: '/api/v2/auth/oidc/login',
    summary: "Redirect to the identity provider's sign-in (authorization code, PKCE, state, nonce)",
    tags: ['Authentication'],
    auth: false,
    query: LoginQuery,
    status: 302,
    responseDescription: 'A redirect to the identity provider.',
    handler: async ({ deps, query, reply }) => {
      const { rp } = enabled(deps);
      let begun: Awaited<ReturnType<typeof rp.begin>>;
      try {
        begun = await rp.begin(safeNext(query.next));
      } catch (error) {
        deps.log.warn({ err: error }, 'single sign-on: the identity provider could not be reached');
        throw new ApiError(502, 'The identity provider could not be reached.', errorMessage(error));
      }
      setPendingCookie(reply, begun.pending, secureCookies(deps));
      return reply.redirect(begun.url.href, 302);
    },
  }),
  defineRoute({
    method: 'GET',
    path: '/api/v2/auth/oidc/callback',
    summary: 'Where the identity provider returns: checks state, PKCE and nonce, then signs the browser in',
    tags: ['Authentication'],
    auth: false,
    query: CallbackQuery,
    status: 302,
    responseDescription: 'A redirect into the dashboard, with the session cookie set.',
    handler: async ({ deps, request, reply }) => {
      const { rp, config } = enabled(deps);
      const secure = secureCookies(deps);
      const pending = readPendingCookie(request.cookies[PENDING_COOKIE]);
      clearPendingCookie(reply, secure);
      if (!pending) {
        return refuse(
          request,
          reply,
          400,
          'This sign-in has expired or was started in another browser. Start again.',
        );
      }
      const at = request.url.indexOf('?');
      try {
        const { session, next } = await finishSignIn(
          {
            config,
            rp,
            db: deps.db,
            sessions: deps.sessions,
            auth: deps.auth,
            budgets: deps.budgets,
            log: deps.log,
          },
          at >= 0 ? request.url.slice(at) : '',
          pending,
          { remoteAddress: request.ip, userAgent: request.headers['user-agent'], requestId: request.id },
        );
        setSessionCookies(reply, session, secure);
        return reply.redirect(next, 302);
      } catch (error) {
        if (error instanceof CallbackRejected) return refuse(request, reply, 400, error.message);
        if (error instanceof SignInRefused) return refuse(request, reply, 403, error.message);
        throw error;
      }
    },
  }),
  defineRoute({
    method: 'POST',
    path: '/api/v2/auth/logout',
    summary: 'Sign out: ends the browser session on the server',
    tags: ['Authentication'],
    status: 204,
    responseDescription: 'Signed out (a token-authenticated call has no session to end).',
    handler: async ({ deps, request, reply }) => {
      const cookie = request.cookies[SESSION_COOKIE];
      if (cookie) {
        await deps.sessions.end(cookie);
        clearSessionCookies(reply, secureCookies(deps));
      }
      return undefined;
    },
  }),
];
