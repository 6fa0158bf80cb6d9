import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, redactedConfig } from './config.js';

describe('loadConfig', () => {
  it('uses the documented defaults', () => {
    const config = loadConfig({}, {});
    expect(config.http).toEqual({ host: '127.0.0.1', port: 3000 });
    expect(config.databaseUrl).toBeUndefined();
    expect(config.dataDir).toBe('./.aibridge');
    expect(config.openai.baseUrl).toBe('https://api.openai.com/v1/');
    expect(config.anthropic.baseUrl).toBe('https://api.anthropic.com/');
    expect(config.retentionMs).toBe(60 * 86_400_000);
    expect(config.maxConcurrency).toBe(0);
    expect(config.rateLimit).toBe(0);
    expect(config.logLevel).toBe('info');
    expect(config.databaseTimeoutMs).toBe(10_000);
    expect(config.databaseWaitMs).toBe(120_000);
    expect(config.interruptedAfterMs).toBe(3_600_000);
    expect(config.upstreamTimeouts).toEqual({ connectMs: 10_000, firstByteMs: 600_000, idleMs: 600_000 });
    expect(config.metricsToken).toBeUndefined();
    expect(config.outage).toEqual({ mode: 'spool', spoolMaxBytes: 1024 ** 3 });
  });

  it('reads the outage mode and the spool bound, and refuses an unknown mode', () => {
    const config = loadConfig({}, { AIBRIDGE_OUTAGE_MODE: 'refuse', AIBRIDGE_SPOOL_MAX_SIZE: '10MiB' });
    expect(config.outage).toEqual({ mode: 'refuse', spoolMaxBytes: 10 * 1024 ** 2 });
    expect(() => loadConfig({}, { AIBRIDGE_OUTAGE_MODE: 'drop' })).toThrow(/AIBRIDGE_OUTAGE_MODE "drop"/);
  });

  it('reads the failure-behaviour settings and redacts the metrics token', () => {
    const config = loadConfig(
      {},
      {
        AIBRIDGE_DATABASE_TIMEOUT: '3s',
        AIBRIDGE_DATABASE_WAIT: '0',
        AIBRIDGE_INTERRUPTED_AFTER: '0',
        AIBRIDGE_UPSTREAM_IDLE_TIMEOUT: '90s',
        AIBRIDGE_METRICS_TOKEN: 'scrape-me',
      },
    );
    expect([config.databaseTimeoutMs, config.databaseWaitMs, config.interruptedAfterMs]).toEqual([
      3000, 0, 0,
    ]);
    expect(config.upstreamTimeouts.idleMs).toBe(90_000);
    expect(JSON.stringify(redactedConfig(config))).not.toContain('scrape-me');
  });

  it('prefers flags over env vars and AIBRIDGE_ names over the generic ones', () => {
    const env = {
      AIBRIDGE_HTTP_ADDRESS: ':4000',
      DATABASE_URL: 'postgres://generic@h/db',
      AIBRIDGE_DATABASE_URL: 'postgres://specific@h/db',
      OPENAI_API_KEY: 'sk-generic',
      ANTHROPIC_API_KEY: 'sk-ant',
      AIBRIDGE_RETENTION: '2w',
    };
    const config = loadConfig({ httpAddress: '[::1]:5000' }, env);
    expect(config.http).toEqual({ host: '::1', port: 5000 });
    expect(config.databaseUrl).toBe('postgres://specific@h/db');
    expect(config.openai.key).toBe('sk-generic');
    expect(config.anthropic.key).toBe('sk-ant');
    expect(config.retentionMs).toBe(14 * 86_400_000);
    expect(loadConfig({}, { AIBRIDGE_HTTP_ADDRESS: ':4000' }).http).toEqual({ host: '0.0.0.0', port: 4000 });
  });

  it.each([
    [{ AIBRIDGE_HTTP_ADDRESS: 'nope' }, /AIBRIDGE_HTTP_ADDRESS "nope"/],
    [{ AIBRIDGE_HTTP_ADDRESS: '1.2.3.4:70000' }, /port/],
    [{ AIBRIDGE_OPENAI_BASE_URL: 'not a url' }, /AIBRIDGE_OPENAI_BASE_URL/],
    [{ AIBRIDGE_ANTHROPIC_BASE_URL: 'ftp://x/' }, /must be http/],
    [{ DATABASE_URL: 'mysql://x' }, /DATABASE_URL: expected postgres/],
    [{ AIBRIDGE_RETENTION: '5x' }, /AIBRIDGE_RETENTION "5x": unknown unit "x"/],
    [{ AIBRIDGE_RETENTION: '-1d' }, /AIBRIDGE_RETENTION/],
    [{ AIBRIDGE_MAX_CONCURRENCY: '-3' }, /AIBRIDGE_MAX_CONCURRENCY "-3"/],
    [{ AIBRIDGE_RATE_LIMIT: 'fast' }, /AIBRIDGE_RATE_LIMIT/],
    [{ AIBRIDGE_LOG_LEVEL: 'loud' }, /AIBRIDGE_LOG_LEVEL "loud"/],
    [{ AIBRIDGE_BOOTSTRAP_TOKEN: 'short' }, /AIBRIDGE_BOOTSTRAP_TOKEN/],
    [{ AIBRIDGE_MAX_BODY_SIZE: '12 parsecs' }, /AIBRIDGE_MAX_BODY_SIZE/],
  ])('rejects %j with one line naming the setting', (env, message) => {
    expect(() => loadConfig({}, env)).toThrow(ConfigError);
    expect(() => loadConfig({}, env)).toThrow(message);
  });

  it('names the flag when the flag is wrong', () => {
    expect(() => loadConfig({ retention: 'soon' }, {})).toThrow(/--retention "soon"/);
  });

  it('accepts 0 retention (keep forever) and sizes with units', () => {
    const config = loadConfig({}, { AIBRIDGE_RETENTION: '0', AIBRIDGE_MAX_BODY_SIZE: '2MiB' });
    expect(config.retentionMs).toBe(0);
    expect(config.maxBodyBytes).toBe(2 * 1024 * 1024);
  });

  it('redacts keys, tokens and database passwords when printed', () => {
    const config = loadConfig(
      {},
      {
        AIBRIDGE_OPENAI_KEY: 'sk-secret-openai',
        AIBRIDGE_ANTHROPIC_KEY: 'sk-ant-secret',
        DATABASE_URL: 'postgres://u:hunter2@db/aibridge',
        AIBRIDGE_BOOTSTRAP_TOKEN: 'abcdefghij-abcdefghijabcdefghijab',
      },
    );
    const printed = JSON.stringify(redactedConfig(config));
    for (const secret of ['sk-secret-openai', 'sk-ant-secret', 'hunter2', 'abcdefghijabcdefghijab']) {
      expect(printed).not.toContain(secret);
    }
  });
});
