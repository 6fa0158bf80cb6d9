import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe } from 'vitest';
import type { Config } from '../../src/config.js';
import { type FakeProvider, startFakeProvider } from '../../src/demo/fake-provider.js';
import { DEMO_TASKS } from '../../src/demo/tasks.js';
import { startTestServer, type TestServer } from '../server.js';

/** Debian's Chromium; browser tests never download a browser of their own. */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Why browser tests cannot run here, or undefined when they can (always, in CI). */
export const chromiumMissing = existsSync(CHROMIUM_PATH)
  ? undefined
  : `no Chromium at ${CHROMIUM_PATH}: apt-get install -y chromium`;

/** The dashboard's sessionStorage key for the token, read in the page. */
export const STORED_TOKEN = "sessionStorage.getItem('aibridge.token')";

/** Where screenshots go: a git-ignored folder CI keeps as build artifacts. */
export const SCREENSHOT_DIR = new URL('../../artifacts/screenshots/', import.meta.url).pathname;

// Headless, no sandbox (CI runs as root), and nothing that phones home on a closed network.
const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Two screen sizes the dashboard must work at. */
export const VIEWPORTS = {
  desktop: { width: 1280, height: 800 },
  phone: { width: 390, height: 844 },
} as const;

/** A running server with the built dashboard, and a browser to drive it. */
export interface Dashboard {
  server: TestServer;
  /** The fake provider both of the server's upstreams point at (the demo's scripted model). */
  provider: FakeProvider;
  /** The server's gateway root, `…/api/v2/aibridge`, for simulated agents. */
  gateway: string;
  browser: Browser;
  /** A fresh browser context (own storage) on the server, signed in when a token is given. */
  open(options?: { token?: string; viewport?: keyof typeof VIEWPORTS }): Promise<Page>;
  close(): Promise<void>;
}

/**
 * Starts a server on a fresh embedded database with its gateway pointed at the fake provider
 * (so tests can produce data through the real gateway), and Chromium (a new profile per launch).
 */
export async function startDashboard(overrides: Partial<Config> = {}): Promise<Dashboard> {
  const provider = await startFakeProvider({ tasks: DEMO_TASKS });
  const server = await startTestServer('pglite', {
    openai: { baseUrl: provider.openaiBaseUrl, key: 'test-openai-key' },
    anthropic: { baseUrl: provider.anthropicBaseUrl, key: 'test-anthropic-key' },
    ...overrides,
  });
  const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args: ARGS });
  const contexts: BrowserContext[] = [];
  return {
    server,
    provider,
    gateway: `${server.url}/api/v2/aibridge`,
    browser,
    async open({ token, viewport = 'desktop' } = {}) {
      const context = await browser.newContext({
        baseURL: server.url,
        viewport: VIEWPORTS[viewport],
        timezoneId: 'Europe/Paris',
        locale: 'en-GB',
      });
      contexts.push(context);
      if (token) {
        const value = JSON.stringify(token);
        await context.addInitScript({
          content: `if (!sessionStorage.getItem('aibridge.token')) sessionStorage.setItem('aibridge.token', ${value});`,
        });
      }
      const page = await context.newPage();
      // Fail a step with its own message rather than the test's 60 s timeout.
      page.setDefaultTimeout(30_000);
      return page;
    },
    async close() {
      for (const context of contexts) await context.close().catch(() => {});
      await browser.close();
      await server.close();
      await provider.close();
    },
  };
}

/**
 * Declares a browser suite with its own server and browser; skipped, with the reason in its
 * title, only where Debian's Chromium is not installed.
 */
export function describeInBrowser(
  title: string,
  body: (dashboard: () => Dashboard) => void,
  overrides: Partial<Config> = {},
): void {
  const label = chromiumMissing ? `${title} [SKIPPED: ${chromiumMissing}]` : title;
  describe.skipIf(chromiumMissing !== undefined)(label, () => {
    let dashboard: Dashboard | undefined;
    beforeAll(async () => {
      dashboard = await startDashboard(overrides);
    });
    afterAll(async () => {
      await dashboard?.close();
    });
    body(() => {
      if (!dashboard) throw new Error('dashboard not started');
      return dashboard;
    });
  });
}

/**
 * Saves the page at both sizes in light and dark as `<name>-<size>-<scheme>.png`, then
 * restores the desktop light view; the screenshots are for people to look at.
 */
export async function screenshots(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  // From the top: a full-page capture of a scrolled page draws the sticky bar mid-page.
  await page.evaluate('window.scrollTo(0, 0)');
  for (const [size, viewport] of Object.entries(VIEWPORTS)) {
    await page.setViewportSize(viewport);
    for (const colorScheme of ['light', 'dark'] as const) {
      await page.emulateMedia({ colorScheme });
      // Two animation frames: the page has restyled and painted in the new scheme.
      await page.evaluate(
        'new Promise((painted) => requestAnimationFrame(() => requestAnimationFrame(painted)))',
      );
      await page.screenshot({
        path: join(SCREENSHOT_DIR, `${name}-${size}-${colorScheme}.png`),
        fullPage: size === 'phone',
      });
    }
  }
  await page.setViewportSize(VIEWPORTS.desktop);
  await page.emulateMedia({ colorScheme: 'light' });
}
