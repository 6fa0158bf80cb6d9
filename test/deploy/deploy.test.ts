import { readdirSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { startTestServer, type TestServer } from '../server.js';
import { at, configuredNames, dockerStages, KUBERNETES_DIR, loadManifests } from './manifests.js';

const manifests = loadManifests();
const get = (kind: string) => {
  const manifest = manifests.get(kind);
  if (!manifest) throw new Error(`deploy/kubernetes has no ${kind}`);
  return manifest;
};
const deployment = get('Deployment');
const pod = at<Record<string, unknown>>(deployment, 'spec', 'template', 'spec');
const container = at<Record<string, unknown>>(pod, 'containers', 0);
const settings = at<Record<string, string>>(get('ConfigMap'), 'data');
const secrets = at<Record<string, string>>(get('Secret'), 'stringData');
const stages = dockerStages();
const runtime = stages.at(-1);

describe('deploy/kubernetes', () => {
  it('has every object a production install needs, all listed in its kustomization', () => {
    expect([...manifests.keys()].sort()).toEqual(
      [
        'ConfigMap',
        'Deployment',
        'HorizontalPodAutoscaler',
        'Kustomization',
        'PodDisruptionBudget',
        'Secret',
        'Service',
      ].sort(),
    );
    const files = readdirSync(KUBERNETES_DIR).filter(
      (f) => f.endsWith('.yaml') && f !== 'kustomization.yaml',
    );
    expect(at<string[]>(get('Kustomization'), 'resources').sort()).toEqual(files.sort());
    expect(at(get('HorizontalPodAutoscaler'), 'spec', 'metrics', 0, 'resource', 'name')).toBe('cpu');
  });

  it('sets only settings the server reads, with values it accepts', () => {
    const known = configuredNames();
    const docker = (runtime?.instructions ?? [])
      .filter((i) => i.keyword === 'ENV')
      .flatMap((i) => [...i.args.matchAll(/\b(AIBRIDGE_[A-Z_]+)=/g)].map((m) => m[1] ?? ''));
    expect(docker).toContain('AIBRIDGE_HTTP_ADDRESS');
    for (const name of [...Object.keys(settings), ...Object.keys(secrets), ...docker]) {
      expect(known, `${name} is not read by src/config.ts or src/config/`).toContain(name);
    }
    // The ConfigMap's values parse as the server would parse them (secrets are placeholders).
    const config = loadConfig({}, settings);
    expect(config.http.port).toBe(at(container, 'ports', 0, 'containerPort'));
  });

  it('probes and routes the server’s real health paths on its port', () => {
    expect(at(container, 'readinessProbe', 'httpGet', 'path')).toBe('/readyz');
    expect(at(container, 'livenessProbe', 'httpGet', 'path')).toBe('/healthz');
    const portName = at(container, 'ports', 0, 'name');
    expect(at(container, 'readinessProbe', 'httpGet', 'port')).toBe(portName);
    expect(at(container, 'livenessProbe', 'httpGet', 'port')).toBe(portName);
    expect(at(get('Service'), 'spec', 'ports', 0, 'targetPort')).toBe(portName);
    const labels = at<Record<string, string>>(deployment, 'spec', 'template', 'metadata', 'labels');
    expect(at(deployment, 'spec', 'selector', 'matchLabels')).toEqual(labels);
    expect(at(get('Service'), 'spec', 'selector')).toEqual(labels);
    expect(at(get('PodDisruptionBudget'), 'spec', 'selector', 'matchLabels')).toEqual(labels);
  });

  it('gives a stopping replica longer than its drain to finish', () => {
    const drainMs = loadConfig({}, settings).shutdownTimeoutMs;
    const pauseS = Number(at<string[]>(container, 'lifecycle', 'preStop', 'exec', 'command').at(-1));
    expect(at<number>(pod, 'terminationGracePeriodSeconds') * 1000).toBeGreaterThan(drainMs + pauseS * 1000);
  });

  it('keeps pool size × replicas within the PostgreSQL connection budget', () => {
    const budget = Number(deployment.metadata.annotations?.['aibridge/postgres-connection-budget']);
    const pool = loadConfig({}, settings).databasePoolSize;
    // Per replica: its pool, its LISTEN connection and the two migration connections at start-up.
    const perReplica = pool + 3;
    expect(
      at<number>(get('HorizontalPodAutoscaler'), 'spec', 'maxReplicas') * perReplica,
    ).toBeLessThanOrEqual(budget);
    // A node drain can always take one replica: the PDB leaves room below the minimum.
    const minReplicas = at<number>(get('HorizontalPodAutoscaler'), 'spec', 'minReplicas');
    expect(at<number>(get('PodDisruptionBudget'), 'spec', 'minAvailable')).toBeLessThan(minReplicas);
    expect(at<number>(deployment, 'spec', 'replicas')).toBeGreaterThanOrEqual(minReplicas);
  });
});

describe('Dockerfile', () => {
  it('builds in one stage and runs production dependencies as a non-root user in another', () => {
    expect(stages.length).toBeGreaterThanOrEqual(2);
    const build = stages.find((stage) => stage.name === 'build');
    expect(build?.instructions.some((i) => i.keyword === 'RUN' && i.args.includes('scripts/build.mjs'))).toBe(
      true,
    );
    const run = runtime?.instructions ?? [];
    expect(run.some((i) => i.keyword === 'RUN' && /npm ci\b.*--omit=dev/.test(i.args))).toBe(true);
    const user = run.filter((i) => i.keyword === 'USER').at(-1)?.args;
    expect(user).toBeDefined();
    expect(['root', '0']).not.toContain(user);
    for (const built of ['dist', 'web/dist']) {
      expect(run.some((i) => i.keyword === 'COPY' && i.args.startsWith(`--from=build /app/${built} `))).toBe(
        true,
      );
    }
    const port = loadConfig({}, settings).http.port;
    expect(run.find((i) => i.keyword === 'EXPOSE')?.args).toBe(String(port));
    expect(run.find((i) => i.keyword === 'HEALTHCHECK')?.args).toContain(`127.0.0.1:${port}/healthz`);
  });
});

describe('the paths the deployment relies on', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer('pglite');
  });
  afterAll(async () => {
    await server.close();
  });

  it('answers every probe path the manifests and the Dockerfile use', async () => {
    const healthcheck = /127\.0\.0\.1:\d+(\/\w+)/.exec(
      runtime?.instructions.find((i) => i.keyword === 'HEALTHCHECK')?.args ?? '',
    )?.[1];
    const paths = new Set([
      at<string>(container, 'readinessProbe', 'httpGet', 'path'),
      at<string>(container, 'livenessProbe', 'httpGet', 'path'),
      healthcheck ?? 'missing',
    ]);
    for (const path of paths) expect((await fetch(`${server.url}${path}`)).status, path).toBe(200);
  });
});
