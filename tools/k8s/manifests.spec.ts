import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import { before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { GRADING_QUEUE } from '@koodi/contracts';
import {
  driftProblems,
  loadManifestSet,
  schemaProblems,
  type AppFacts,
  type DriftContext,
  type K8sObject,
  type ManifestSet,
} from './manifests.ts';

const root = fileURLToPath(new URL('../../', import.meta.url));
const at = (path: string) => root + path;
const require = createRequire(import.meta.url);

/** Names a program reads: every quoted SCREAMING_CASE literal or `env.NAME` in its config source. */
function namesIn(...files: string[]): Set<string> {
  const names = new Set<string>();
  for (const file of files) {
    const source = readFileSync(at(file), 'utf8');
    for (const match of source.matchAll(
      /'([A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+|NODE_ENV|PORT)'|env\.([A-Z][A-Z0-9_]+)/g,
    ))
      names.add(match[1] ?? match[2]);
  }
  return names;
}

/** The variables both apps read, parsed in @koodi/server, and the ops server both run. */
const SERVER_CONFIG = 'libs/server/src/lib/config/server.config.ts';
const OPS_SERVER = 'libs/server/src/lib/ops/ops.server.ts';

/** Paths an ops server answers, read from its source. */
function routesIn(file: string): Set<string> {
  return new Set(
    [...readFileSync(at(file), 'utf8').matchAll(/'(\/(?:health|metrics)[a-z/]*)'/g)].map(
      (match) => match[1],
    ),
  );
}

/**
 * Every Redis list that graders work from and KEDA must scale on. A run lane, once it has its own
 * list (e.g. `{run}:queue` in @koodi/contracts), goes here and gets a trigger in keda.yaml.
 */
const SCALED_QUEUES = [GRADING_QUEUE];

let context: DriftContext;

function facts(): DriftContext {
  // The apps' own loaders, compiled (the repository's TypeScript uses syntax Node cannot strip).
  execFileSync(
    at('node_modules/.bin/tsc'),
    ['-b', at('apps/api/tsconfig.app.json'), at('apps/grader/tsconfig.app.json')],
    { stdio: 'inherit' },
  );
  const { loadApiConfig } = require(at('apps/api/dist/config/api.config.js')) as {
    loadApiConfig: AppFacts['loadConfig'];
  };
  const { loadGraderConfig } = require(at('apps/grader/dist/app/config/grader.config.js')) as {
    loadGraderConfig: AppFacts['loadConfig'];
  };
  return {
    apps: {
      api: {
        image: 'koodi/api',
        envNames: namesIn('apps/api/src/config/api.config.ts', SERVER_CONFIG),
        opsRoutes: routesIn(OPS_SERVER),
        loadConfig: loadApiConfig,
      },
      grader: {
        image: 'koodi/grader',
        envNames: namesIn('apps/grader/src/app/config/grader.config.ts', SERVER_CONFIG),
        opsRoutes: routesIn(OPS_SERVER),
        loadConfig: loadGraderConfig,
      },
    },
    otherConsumers: namesIn('tools/content/sync.ts'),
    scaledQueues: SCALED_QUEUES,
    secretSamples: {
      DATABASE_URL: 'postgres://koodi:pw@db.internal:5432/koodi?sslmode=require',
      REDIS_URL: 'rediss://:pw@redis.internal:6380',
      COOKIE_SECRET: 'c'.repeat(64),
    },
  };
}

const fresh = (): ManifestSet => loadManifestSet(at('infra/k8s'));

function find(set: ManifestSet, kind: string, name: string): K8sObject {
  const found = set.manifests.find(
    ({ object }) => object.kind === kind && object.metadata.name === name,
  );
  assert.ok(found, `${kind}/${name} is in infra/k8s`);
  return found.object;
}

// Typed paths into the fixtures below; a mutation that misses its target fails the lookup.
type Pod = {
  spec: {
    template: {
      spec: { containers: Record<string, never>[]; terminationGracePeriodSeconds: number };
    };
  };
};
const container = (object: K8sObject) =>
  (object as unknown as Pod).spec.template.spec.containers[0] as unknown as Record<
    string,
    unknown
  > & {
    env: { name: string; value?: string; valueFrom?: { secretKeyRef: { key: string } } }[];
    ports: { name: string; containerPort: unknown }[];
    readinessProbe?: { httpGet: { path: string; port: unknown } };
  };
const envEntry = (object: K8sObject, name: string) => {
  const entry = container(object).env.find((e) => e.name === name);
  assert.ok(entry, `${object.metadata.name} sets ${name}`);
  return entry;
};

describe('infra/k8s', () => {
  before(() => {
    context = facts();
  });

  it('lists every manifest in kustomization.yaml and documents the Secret keys', () => {
    const set = fresh();
    assert.deepEqual(set.unlisted, []);
    assert.deepEqual(set.generatorProblems, []);
    assert.ok(set.documentedSecretKeys.includes('REDIS_URL'));
    assert.ok(set.manifests.length >= 14, `${set.manifests.length} objects`);
  });

  it('validates every object against the Kubernetes and KEDA schemas', async () => {
    assert.deepEqual(await schemaProblems(fresh().manifests), []);
  });

  it('agrees with the apps: ports, probes, env names, secret keys, the queue KEDA scales on', () => {
    assert.deepEqual(driftProblems(fresh(), context), []);
  });
});

/** Each mutation is drift a reviewer could miss; the check must name it. */
describe('infra/k8s drift is caught', () => {
  before(() => {
    context ??= facts();
  });

  const cases: {
    name: string;
    mutate: (set: ManifestSet) => void;
    expect: RegExp;
    schema?: boolean;
  }[] = [
    {
      name: 'a containerPort written as a string',
      mutate: (set) => (container(find(set, 'Deployment', 'api')).ports[0].containerPort = '3000'),
      expect: /containerPort must be integer/,
      schema: true,
    },
    {
      name: 'a ScaledObject without triggers',
      mutate: (set) =>
        delete (find(set, 'ScaledObject', 'grader')['spec'] as Record<string, unknown>)['triggers'],
      expect: /ScaledObject\/grader: .*triggers/,
      schema: true,
    },
    {
      name: 'an object kind nobody knows',
      mutate: (set) => (find(set, 'Service', 'web').kind = 'Servise'),
      expect: /no schema known for v1 Servise/,
      schema: true,
    },
    {
      name: 'OPS_PORT moved without the containerPort and probes',
      mutate: (set) => (envEntry(find(set, 'Deployment', 'api'), 'OPS_PORT').value = '9101'),
      expect: /api: containerPort "ops" is 9100, the app listens for ops on 9101/,
    },
    {
      name: 'a readiness probe on a path the app does not serve',
      mutate: (set) =>
        (container(find(set, 'Deployment', 'grader')).readinessProbe!.httpGet.path = '/ready'),
      expect: /grader: readinessProbe path \/ready is not served/,
    },
    {
      name: 'a readiness probe misspelt (so there is none)',
      mutate: (set) => {
        const api = container(find(set, 'Deployment', 'api'));
        api['readinesProbe'] = api.readinessProbe;
        delete api.readinessProbe;
      },
      expect: /api: no readinessProbe/,
    },
    {
      name: 'an env name the app never reads',
      mutate: (set) =>
        container(find(set, 'Deployment', 'grader')).env.push({ name: 'GRADER_SLOT', value: '4' }),
      expect: /grader: env GRADER_SLOT is not read by the app/,
    },
    {
      name: 'a value the app refuses',
      mutate: (set) => (envEntry(find(set, 'Deployment', 'grader'), 'GRADER_SLOTS').value = 'two'),
      expect: /grader: the app refuses this environment: [\s\S]*GRADER_SLOTS must be an integer/,
    },
    {
      name: 'a secret key config.yaml does not document',
      mutate: (set) =>
        (envEntry(find(set, 'Deployment', 'api'), 'COOKIE_SECRET').valueFrom!.secretKeyRef.key =
          'COOKIE_KEY'),
      expect: /reads secret key COOKIE_KEY, which config.yaml does not document/,
    },
    {
      name: 'KEDA scaling on the list name from before the hash tag',
      mutate: (set) => {
        const triggers = (
          find(set, 'ScaledObject', 'grader')['spec'] as {
            triggers: { metadata: Record<string, string> }[];
          }
        ).triggers;
        triggers[0].metadata['listName'] = 'grading:queue';
      },
      expect:
        /scales on list grading:queue, which no app uses[\s\S]*no ScaledObject scales on \{grading\}:queue/,
    },
    {
      name: 'a ConfigMap key nothing reads',
      mutate: (set) =>
        ((find(set, 'ConfigMap', 'koodi-config')['data'] as Record<string, string>)[
          'TRUST_PROXIES'
        ] = '10.0.0.0/8'),
      expect: /ConfigMap\/koodi-config: TRUST_PROXIES is read by no app or tool/,
    },
    {
      name: 'a Service pointing at a port name its pods do not have',
      mutate: (set) =>
        ((
          find(set, 'Service', 'api')['spec'] as { ports: { targetPort: string }[] }
        ).ports[0].targetPort = 'web'),
      expect: /Service\/api: targetPort web is no port of its pods/,
    },
    {
      name: 'a grace period shorter than the grader’s shutdown timeout',
      mutate: (set) =>
        ((
          find(set, 'Deployment', 'grader') as unknown as Pod
        ).spec.template.spec.terminationGracePeriodSeconds = 5),
      expect: /terminationGracePeriodSeconds 5 leaves no room for SHUTDOWN_GRACE_SECONDS 10/,
    },
  ];

  it('fails on a migration missing from the koodi-migrations generator', () => {
    const dir = mkdtempSync(join(tmpdir(), 'koodi-k8s-'));
    try {
      cpSync(at('infra/k8s'), join(dir, 'k8s'), { recursive: true });
      cpSync(at('infra/flyway'), join(dir, 'flyway'), { recursive: true });
      writeFileSync(join(dir, 'flyway/sql/V99__later.sql'), 'select 1;');
      assert.deepEqual(loadManifestSet(join(dir, 'k8s')).generatorProblems, [
        'configMapGenerator koodi-migrations: V99__later.sql is missing, so the migrate Job would skip it',
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  for (const testCase of cases) {
    it(`fails on ${testCase.name}`, async () => {
      const set = fresh();
      testCase.mutate(set);
      const problems = testCase.schema
        ? await schemaProblems(set.manifests)
        : driftProblems(set, context);
      assert.match(problems.join('\n'), testCase.expect);
    });
  }
});
