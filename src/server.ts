import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { buildApp, VERSION } from './app.js';
import { Authenticator } from './auth/authenticator.js';
import { type Bootstrapped, bootstrapOwner } from './auth/bootstrap.js';
import { RelyingParty } from './auth/oidc/relying-party.js';
import { BrowserSessions } from './auth/oidc/sessions.js';
import { BudgetGate, type BudgetGateOptions } from './budgets/gate.js';
import { registerBudgetMetrics } from './budgets/metrics.js';
import { BudgetStore } from './budgets/store.js';
import { Webhook } from './budgets/webhook.js';
import { type Config, redactedConfig } from './config.js';
import { ClientUseLog } from './connect/client-use.js';
import type { Database } from './db/database.js';
import { registerDatabaseMetrics } from './db/metrics.js';
import { openWhenReachable } from './db/wait.js';
import { createGateway, type Gateway } from './gateway/bridge.js';
import { StartingServer } from './health/starting.js';
import { openRateLimits } from './limits/open.js';
import { createLogger, type Logger } from './log.js';
import { createMetricsRegistry } from './metrics.js';
import { ServerErrors } from './ops/server-errors.js';
import type { InterceptionTracer } from './ops/span.js';
import { PriceBook } from './pricing/book.js';
import { registerPricingMetrics } from './pricing/metrics.js';
import { OverrideCache } from './pricing/overrides.js';
import { PackagePrices } from './pricing/package-book.js';
import { ProviderRegistry } from './providers/registry.js';
import { Secrets } from './providers/secret-box.js';
import { seedFromEnv } from './providers/seed.js';
import { InterruptedReaper } from './reaper/reaper.js';
import { registerRecorderMetrics } from './recorder/metrics.js';
import { DatabaseRecorder, type RecorderOptions } from './recorder/recorder.js';
import type { AsyncRecord, Recorder } from './recorder/types.js';
import { OutageJournal } from './spool/journal.js';
import { registerSpoolMetrics } from './spool/metrics.js';
import { SpoolingRecorder } from './spool/recorder.js';
import { SpoolReplayer } from './spool/replayer.js';
import { RecordSpool } from './spool/spool.js';
import { RetentionJob } from './store/retention-job.js';

/** A started server: where it listens, and how to stop it gracefully. */
export interface RunningServer {
  url: string;
  app: FastifyInstance;
  db: Database;
  /** Where the gateway's records queue up before they are written (tests watch its depth). */
  recorder: DatabaseRecorder;
  /** Which client used which token, written in batches (tests flush it instead of waiting). */
  clientUse: ClientUseLog;
  bootstrapped: Bootstrapped | undefined;
  /** Stops accepting, waits (bounded) for in-flight requests, flushes records, closes the database. */
  close(): Promise<void>;
}

/** Optional overrides for tests: a ready database or logger instead of the configured ones. */
export interface StartOptions {
  db?: Database;
  log?: Logger;
  /** How often the retention purge runs (default ten minutes). */
  retentionIntervalMs?: number;
  /** Recorder tuning (batch linger, queue bounds). */
  recorder?: RecorderOptions;
  /** Budget gate tuning (an injected clock, refresh intervals). */
  budgets?: Pick<BudgetGateOptions, 'now' | 'rulesRefreshMs' | 'tidyMs' | 'webhook'>;
}

/** Composition root: config → database → migrate → bootstrap → deps → listen. */
export async function startServer(config: Config, options: StartOptions = {}): Promise<RunningServer> {
  const log = options.log ?? createLogger(config.logLevel);
  log.info({ config: redactedConfig(config), version: VERSION }, 'starting aibridge');
  // Listening from the start: probes get answers (503 `starting` on /readyz) while it waits.
  const metrics = createMetricsRegistry();
  const serverErrors = ServerErrors.of(metrics);
  const starting = await StartingServer.listen(config, log, serverErrors);
  let db: Database;
  try {
    db =
      options.db ??
      (await openWhenReachable(
        {
          url: config.databaseUrl,
          dataDir: config.dataDir,
          timeoutMs: config.databaseTimeoutMs,
          poolSize: config.databasePoolSize,
        },
        log,
        config.databaseWaitMs,
      ));
  } catch (error) {
    await starting.close();
    throw error;
  }
  db.health.onChange((change) => {
    if (change.state === 'down') {
      log.error({ err: change.error }, 'database unavailable: gateway and API answer 503 until it is back');
    } else log.warn(change, 'database available again');
  });
  const spool = new RecordSpool(join(config.dataDir, 'spool'));
  const journal =
    config.outage.mode === 'spool'
      ? new OutageJournal(spool.dir, config.outage.spoolMaxBytes, () => replayer.trigger())
      : undefined;
  const replayer: SpoolReplayer = new SpoolReplayer(spool, journal, db, log);
  try {
    starting.stage = 'migrations';
    await db.migrate();
    starting.stage = 'services';
    await replayer.replayAtStart();
    const bootstrapped = await bootstrapOwner(db, config.bootstrapToken);
    const auth = new Authenticator(db, log);
    await auth.start();
    const secrets = new Secrets(config.secretKey, config.dataDir);
    const providers = new ProviderRegistry(db, secrets, log, metrics, config.upstreamTimeouts);
    await seedFromEnv(providers.store, config);
    await providers.start();
    const prices = new PriceBook(new PackagePrices());
    const overrides = new OverrideCache(db.kysely, prices, log);
    await overrides.start();
    const onUnpriced = registerPricingMetrics(metrics);
    const onFlush = registerRecorderMetrics(metrics, () => recorder.stats);
    const recorder: DatabaseRecorder = new DatabaseRecorder(db, log, {
      onFlush,
      prices,
      onUnpriced,
      sessionIdleMs: config.sessionIdleMs,
      mode: config.recordingMode,
      prompts: config.prompts,
      ...options.recorder,
    });
    registerDatabaseMetrics(metrics, db);
    const gatewayRecorder = journal ? new SpoolingRecorder(recorder, journal, db.health, log) : recorder;
    const dropped = registerSpoolMetrics(metrics, {
      depthBytes: () => journal?.depth ?? 0,
      stats: () => (gatewayRecorder instanceof SpoolingRecorder ? gatewayRecorder.stats : undefined),
      discarded: () => replayer.discarded,
    });
    const budgets = new BudgetGate({
      store: new BudgetStore(db.kysely),
      prices,
      log,
      metrics: registerBudgetMetrics(metrics),
      timeZone: config.budgets.timeZone,
      unpriced: config.budgets.unpriced,
      webhook: config.webhook.url
        ? new Webhook({ url: config.webhook.url, secret: config.webhook.secret, log })
        : undefined,
      ...options.budgets,
    });
    await budgets.start();
    const clientUse = new ClientUseLog(db, log);
    clientUse.start();
    const limits = await openRateLimits(config, db, log, metrics);
    // Loaded only when enabled: a gateway without tracing never loads the SDK.
    const tracer = config.otlpEndpoint
      ? (await import('./ops/tracing.js')).startTracing(config.otlpEndpoint)
      : undefined;
    const gateway: Gateway = createGateway({
      tracer,
      config,
      auth,
      recorder: gatewayRecorder,
      log,
      metrics,
      providers,
      prices,
      budgets,
      health: db.health,
      clientUse,
      limits: limits.limits,
    });
    const retention = new RetentionJob({
      db,
      log,
      metrics,
      retentionMs: config.retentionMs,
      intervalMs: options.retentionIntervalMs,
    });
    const reaper = new InterruptedReaper({ db, log, metrics, openForMs: config.interruptedAfterMs });
    const app = await buildApp(
      {
        config,
        db,
        log,
        auth,
        gateway,
        metrics,
        retention,
        providers,
        budgets,
        limits: limits.limits,
        journal,
        pricing: { book: prices, overrides },
        sessions: new BrowserSessions(db.kysely, config.browserSessions),
        oidc: config.oidc ? new RelyingParty(config.oidc) : undefined,
        version: VERSION,
      },
      { host: starting },
    );
    await app.ready();
    starting.handOver();
    const { url } = starting;
    log.info({ url, database: db.kind }, 'aibridge is listening');
    retention.start();
    reaper.start();
    replayer.start();

    let closing: Promise<void> | undefined;
    const close = () => {
      closing ??= shutdown({
        app,
        gateway,
        recorder: gatewayRecorder,
        auth,
        retention,
        providers,
        budgets,
        reaper,
        overrides,
        clientUse,
        limits,
        db,
        log,
        spool: journal ? spool : undefined,
        tracer,
        replayer,
        onLost: (count) => dropped.inc(count),
        serverErrors,
        timeoutMs: config.shutdownTimeoutMs,
      });
      return closing;
    };
    return { url, app, db, recorder, clientUse, bootstrapped, close };
  } catch (error) {
    await starting.close();
    if (!options.db) await db.close().catch(() => {});
    throw error;
  }
}

/**
 * Graceful stop, in the order that loses nothing: stop accepting → let in-flight requests
 * finish (streams included; cut at the timeout) → flush the recorder's queue → close the
 * database.
 */
async function shutdown(parts: {
  app: FastifyInstance;
  gateway: Gateway;
  recorder: Recorder;
  auth: Authenticator;
  retention: RetentionJob;
  providers: ProviderRegistry;
  budgets: BudgetGate;
  reaper: InterruptedReaper;
  overrides: OverrideCache;
  clientUse: ClientUseLog;
  limits: { close(): Promise<void> };
  db: Database;
  log: Logger;
  /** Absent with AIBRIDGE_OUTAGE_MODE=refuse: what shutdown cannot write is counted as lost. */
  spool: RecordSpool | undefined;
  replayer: SpoolReplayer;
  tracer: InterceptionTracer | undefined;
  onLost: (count: number) => void;
  serverErrors: ServerErrors;
  timeoutMs: number;
}): Promise<void> {
  const {
    app,
    gateway,
    recorder,
    auth,
    retention,
    providers,
    budgets,
    reaper,
    overrides,
    clientUse,
    limits,
    db,
    log,
    spool,
    replayer,
    tracer,
    onLost,
    serverErrors,
    timeoutMs,
  } = parts;
  serverErrors.draining = true;
  log.info({ timeoutMs }, 'shutting down: finishing in-flight requests');
  const timer = setTimeout(() => {
    log.warn('shutdown timeout reached: closing remaining connections');
    app.server.closeAllConnections();
  }, timeoutMs);
  // Keep-alive connections become idle only once their last response is sent: close them then.
  const idle = setInterval(() => app.server.closeIdleConnections(), 50);
  try {
    // The server is start-up's, adopted by the app: Fastify does not close what it did not
    // listen on, so it is closed here (it resolves once every connection has ended).
    const serverClosed = new Promise<void>((resolve) => app.server.close(() => resolve()));
    const appClosed = Promise.all([app.close(), serverClosed]);
    await gateway.close();
    await appClosed;
  } finally {
    clearTimeout(timer);
    clearInterval(idle);
  }
  await providers.close();
  await limits.close();
  await retention.stop();
  overrides.stop();
  await reaper.stop();
  await replayer.stop();
  const unwritten = await recorder.close();
  const lost = spoolAtShutdown(unwritten, spool, log);
  if (lost > 0) onLost(lost);
  // After the flush: every settled cost is in the counters, so all lease can go back.
  await budgets
    .close()
    .catch((error: unknown) => log.warn({ err: error }, 'budgets: could not give leases back'));
  await auth.close();
  await clientUse.close();
  await tracer
    ?.shutdown()
    .catch((error: unknown) => log.warn({ err: error }, 'tracing: could not flush spans'));
  await db.close();
  log.info('aibridge stopped');
  if (lost > 0) throw new Error(`${lost} records could not be written or spooled and are lost`);
}

/** Spools what the database could not take; returns how many records are lost (0 unless it cannot). */
function spoolAtShutdown(unwritten: AsyncRecord[], spool: RecordSpool | undefined, log: Logger): number {
  if (unwritten.length === 0) {
    log.info('recordings flushed');
    return 0;
  }
  if (!spool) {
    log.error(
      { lost: unwritten.length },
      'database unavailable at shutdown and AIBRIDGE_OUTAGE_MODE=refuse: records lost',
    );
    return unwritten.length;
  }
  try {
    const file = spool.write(unwritten);
    log.warn(
      { spooled: unwritten.length, file },
      'database unavailable at shutdown: records spooled; they are replayed at the next start',
    );
    return 0;
  } catch (error) {
    log.error(
      { err: error, lost: unwritten.length },
      'database unavailable at shutdown and the spool could not be written: records lost',
    );
    return unwritten.length;
  }
}
