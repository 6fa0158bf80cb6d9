import { expect, it } from 'vitest';
import { bash } from '../connect/harness.js';
import { describeInBrowser, screenshots } from './browser.js';

describeInBrowser('dashboard: connect your agent', (dashboard) => {
  it('gives a member a token and their agent setup, then shows which clients used it', async () => {
    const { server, gateway } = dashboard();
    const member = await server.createUser('connect-browser');
    const page = await dashboard().open({ token: member.token });
    await page.goto('/sessions');
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Connect' }).click();
    await page.getByRole('heading', { name: 'Connect your agent' }).waitFor();

    // Before a token exists the setup shows a placeholder, never someone else's secret.
    expect(await page.getByTestId('snippet-claude-code-settings').textContent()).toContain(
      '<your aibridge token>',
    );
    const form = page.getByRole('form', { name: 'Create a token' });
    await form.getByLabel('Token name (optional)').fill('laptop');
    await form.getByRole('button', { name: 'Create token' }).click();
    const token = (await page.getByTestId('new-token').textContent()) ?? '';
    expect(token).toMatch(/^\w{10}-\w{22}$/);
    expect(await page.getByText('it will not be shown again').count()).toBe(1);

    // The setup has this server's URL (the one the browser used) and the new token filled in.
    const settings = JSON.parse((await page.getByTestId('snippet-claude-code-settings').textContent()) ?? '');
    expect(settings).toEqual({
      env: { ANTHROPIC_BASE_URL: `${gateway}/anthropic`, ANTHROPIC_AUTH_TOKEN: token },
    });
    expect(await page.getByTestId('snippet-codex-config').textContent()).toContain(
      `base_url = "${gateway}/openai/v1"`,
    );
    for (const agent of [
      'Claude Code',
      'Codex',
      'OpenAI SDK',
      'Anthropic SDK',
      'curl',
      'Cursor',
      'opencode',
      'Cline',
      'Continue',
    ]) {
      await page.getByRole('region', { name: agent }).getByRole('button', { name: 'Copy' }).first().waitFor();
    }
    const row = page.getByRole('row', { name: /laptop/ });
    expect(await row.textContent()).toContain('not used yet');
    await screenshots(page, 'connect');

    // Run the page's curl snippet as copied, and make a Claude Code request with the token.
    const exported = (await page.getByTestId('snippet-token-env').textContent()) ?? '';
    const curl = (await page.getByTestId('snippet-curl-anthropic').textContent()) ?? '';
    const answered = JSON.parse((await bash(`${exported}${curl}`)).stdout) as { type: string };
    expect(answered.type).toBe('message');
    const claude = await fetch(`${gateway}/anthropic/v1/messages`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${token}`,
        'user-agent': 'claude-cli/2.1.197 (external, cli)',
        'content-type': 'application/json',
      },
      body: JSON.stringify({
        model: 'claude-sonnet-4-5',
        max_tokens: 5,
        messages: [{ role: 'user', content: 'hi' }],
      }),
    });
    expect(claude.status).toBe(200);
    await claude.text();
    await server.running.clientUse.flush();

    await page.reload();
    const used = page.getByRole('row', { name: /laptop/ });
    await used.getByText('Claude Code 2.1.197, just now').waitFor();
    expect(await used.textContent()).toMatch(/curl\/[\d.]+, just now/);
    await screenshots(page, 'connect-used');
  });
});
