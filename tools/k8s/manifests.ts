/**
 * Reads infra/k8s the way `kubectl kustomize` lists it, validates every object against the
 * Kubernetes and KEDA schemas (kubernetes-models, generated from the upstream OpenAPI document
 * and KEDA's CRDs), and checks that the manifests agree with the apps: ports, probes, env names,
 * secret keys and the queue KEDA scales on. Used by manifests.spec.ts; no cluster needed.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { parseAllDocuments, parse } from 'yaml';

export type K8sObject = {
  apiVersion: string;
  kind: string;
  metadata: { name: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  [field: string]: unknown;
};

export interface LoadedManifest {
  file: string;
  object: K8sObject;
}

export interface Kustomization {
  resources: string[];
  configMapGenerator?: { name: string; files?: string[] }[];
  images?: { name: string }[];
}

export interface ManifestSet {
  kustomization: Kustomization;
  manifests: LoadedManifest[];
  /** The comment in config.yaml that shows how to create the Secret: the keys it must hold. */
  documentedSecretKeys: string[];
  /** Files in the folder that the kustomization does not list (every one should be). */
  unlisted: string[];
  /** Problems with configMapGenerator files: missing, or migrations left out. */
  generatorProblems: string[];
}

/** What a manifest must agree with, taken from the app's own code (see manifests.spec.ts). */
export interface AppFacts {
  /** The image whose containers run this app, e.g. `koodi/api`. */
  image: string;
  /** Variables the app reads. */
  envNames: Set<string>;
  /** Paths its ops server answers. */
  opsRoutes: Set<string>;
  /** The app's own configuration loader; throws on what the app would refuse. */
  loadConfig(env: Record<string, string>): {
    opsPort: number;
    port?: number;
    opsHost?: string;
    host?: string;
    gradingQueue: string;
    shutdownGraceSeconds?: number;
  };
}

export interface DriftContext {
  apps: Record<string, AppFacts>;
  /** Variables read by other programs sharing the ConfigMap (content sync, Flyway's FLYWAY_*). */
  otherConsumers: Set<string>;
  /** Every Redis list graders must scale on; each needs a KEDA trigger. */
  scaledQueues: string[];
  /** A value of the right shape for each secret key, so the app's loader can judge the rest. */
  secretSamples: Record<string, string>;
}

export function loadManifestSet(dir: string): ManifestSet {
  const kustomization = parse(
    readFileSync(join(dir, 'kustomization.yaml'), 'utf8'),
  ) as Kustomization;
  const manifests: LoadedManifest[] = [];
  for (const file of kustomization.resources) {
    for (const document of parseAllDocuments(readFileSync(join(dir, file), 'utf8'))) {
      if (document.errors.length > 0) throw new Error(`${file}: ${document.errors[0].message}`);
      const object = document.toJS() as K8sObject | null;
      if (object) manifests.push({ file, object });
    }
  }
  const yamlFiles = readdirSync(dir).filter(
    (name) => /\.ya?ml$/.test(name) && name !== 'kustomization.yaml',
  );
  const config = readFileSync(join(dir, 'config.yaml'), 'utf8');
  const documentedSecretKeys = [...config.matchAll(/--from-literal=([A-Z_]+)=/g)].map(
    (match) => match[1],
  );
  const generatorProblems: string[] = [];
  for (const generator of kustomization.configMapGenerator ?? []) {
    for (const entry of generator.files ?? []) {
      const path = entry.includes('=') ? entry.slice(entry.indexOf('=') + 1) : entry;
      if (!existsSync(join(dir, path)))
        generatorProblems.push(`configMapGenerator ${generator.name}: ${path} does not exist`);
    }
  }
  // The migrate Job runs only what koodi-migrations holds: every Flyway file must be in it.
  const migrations = kustomization.configMapGenerator?.find(
    (generator) => generator.name === 'koodi-migrations',
  );
  const listed = new Set((migrations?.files ?? []).map((file) => basename(file)));
  for (const file of readdirSync(join(dir, '../flyway/sql')).filter((name) =>
    name.endsWith('.sql'),
  )) {
    if (!listed.has(file))
      generatorProblems.push(
        `configMapGenerator koodi-migrations: ${file} is missing, so the migrate Job would skip it`,
      );
  }
  return {
    kustomization,
    manifests,
    documentedSecretKeys,
    unlisted: yamlFiles.filter((name) => !kustomization.resources.includes(name)),
    generatorProblems,
  };
}

type Validator = new (data: never) => { validate(): void };

/** apiVersion/kind → the kubernetes-models module holding its schema. */
const MODELS: Record<string, string> = {
  'v1/Namespace': 'kubernetes-models/v1/Namespace',
  'v1/ConfigMap': 'kubernetes-models/v1/ConfigMap',
  'v1/Service': 'kubernetes-models/v1/Service',
  'apps/v1/Deployment': 'kubernetes-models/apps/v1/Deployment',
  'batch/v1/Job': 'kubernetes-models/batch/v1/Job',
  'policy/v1/PodDisruptionBudget': 'kubernetes-models/policy/v1/PodDisruptionBudget',
  'autoscaling/v2/HorizontalPodAutoscaler':
    'kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler',
  'networking.k8s.io/v1/Ingress': 'kubernetes-models/networking.k8s.io/v1/Ingress',
  'keda.sh/v1alpha1/ScaledObject': '@kubernetes-models/keda/keda.sh/v1alpha1/ScaledObject',
  'keda.sh/v1alpha1/TriggerAuthentication':
    '@kubernetes-models/keda/keda.sh/v1alpha1/TriggerAuthentication',
};

/**
 * Schema errors, one line each (`file kind/name: path message`). The upstream schemas leave
 * objects open (as `kubectl apply` without strict field validation does), so a misspelt field
 * is not a schema error; the drift checks catch the ones that matter (a missing probe, port, env).
 */
export async function schemaProblems(manifests: LoadedManifest[]): Promise<string[]> {
  const problems: string[] = [];
  for (const { file, object } of manifests) {
    const where = `${file} ${object.kind}/${object.metadata?.name}`;
    const module = MODELS[`${object.apiVersion}/${object.kind}`];
    if (!module) {
      problems.push(
        `${where}: no schema known for ${object.apiVersion} ${object.kind}; add it to MODELS`,
      );
      continue;
    }
    const Model = (await import(module))[object.kind] as Validator;
    try {
      new Model(structuredClone(object) as never).validate();
    } catch (error) {
      problems.push(`${where}: ${(error as Error).message}`);
    }
  }
  return problems;
}

interface Container {
  name: string;
  image: string;
  command?: string[];
  ports?: { name?: string; containerPort: number }[];
  env?: {
    name: string;
    value?: string;
    valueFrom?: { secretKeyRef?: { name: string; key: string }; fieldRef?: unknown };
  }[];
  envFrom?: { configMapRef?: { name: string } }[];
  readinessProbe?: Probe;
  livenessProbe?: Probe;
  startupProbe?: Probe;
}
interface Probe {
  httpGet?: { path: string; port: number | string };
}
interface PodTemplate {
  metadata?: { labels?: Record<string, string>; annotations?: Record<string, string> };
  spec: {
    containers: Container[];
    initContainers?: Container[];
    volumes?: { name: string; configMap?: { name: string } }[];
    terminationGracePeriodSeconds?: number;
  };
}

const get = <T>(object: K8sObject, path: string): T =>
  path
    .split('.')
    .reduce<unknown>((at, key) => (at as Record<string, unknown> | undefined)?.[key], object) as T;

function podTemplate(object: K8sObject): PodTemplate | undefined {
  if (object.kind === 'Deployment' || object.kind === 'Job')
    return get<PodTemplate>(object, 'spec.template');
  return undefined;
}

/** Every disagreement between the manifests and the apps, one line each. */
export function driftProblems(set: ManifestSet, context: DriftContext): string[] {
  const problems: string[] = [];
  const objects = set.manifests.map((manifest) => manifest.object);
  const byKind = (kind: string) => objects.filter((object) => object.kind === kind);
  const configMaps = new Map(
    byKind('ConfigMap').map((object) => [
      object.metadata.name,
      (object['data'] ?? {}) as Record<string, string>,
    ]),
  );
  const generated = new Set(
    (set.kustomization.configMapGenerator ?? []).map((generator) => generator.name),
  );
  const secretKeys = new Set(set.documentedSecretKeys);
  const known = new Set([
    ...context.otherConsumers,
    ...Object.values(context.apps).flatMap((app) => [...app.envNames]),
  ]);

  for (const file of set.unlisted)
    problems.push(`${file}: not listed in kustomization.yaml resources`);

  for (const [name, data] of configMaps) {
    for (const key of Object.keys(data)) {
      if (!known.has(key) && !key.startsWith('FLYWAY_'))
        problems.push(`ConfigMap/${name}: ${key} is read by no app or tool`);
    }
  }

  const workloads = objects.filter((object) => podTemplate(object));
  for (const workload of workloads) {
    const where = `${workload.kind}/${workload.metadata.name}`;
    const template = podTemplate(workload)!;
    for (const volume of template.spec.volumes ?? []) {
      if (
        volume.configMap &&
        !configMaps.has(volume.configMap.name) &&
        !generated.has(volume.configMap.name)
      ) {
        problems.push(
          `${where}: volume ${volume.name} uses ConfigMap ${volume.configMap.name}, which neither a manifest nor the kustomization makes`,
        );
      }
    }
    for (const container of [
      ...(template.spec.initContainers ?? []),
      ...template.spec.containers,
    ]) {
      const env: Record<string, string> = {};
      for (const from of container.envFrom ?? []) {
        const data = from.configMapRef && configMaps.get(from.configMapRef.name);
        if (from.configMapRef && !data)
          problems.push(
            `${where} ${container.name}: envFrom ConfigMap ${from.configMapRef.name} does not exist`,
          );
        Object.assign(env, data ?? {});
      }
      for (const entry of container.env ?? []) {
        const secret = entry.valueFrom?.secretKeyRef;
        if (secret) {
          if (secret.name !== 'koodi-secrets')
            problems.push(
              `${where} ${container.name}: ${entry.name} comes from Secret ${secret.name}, not koodi-secrets`,
            );
          if (!secretKeys.has(secret.key))
            problems.push(
              `${where} ${container.name}: ${entry.name} reads secret key ${secret.key}, which config.yaml does not document`,
            );
          env[entry.name] = context.secretSamples[secret.key] ?? 'secret';
        } else {
          env[entry.name] = entry.value ?? (entry.valueFrom?.fieldRef ? 'pod-name-7f9c' : '');
        }
      }
      const appName = Object.keys(context.apps).find(
        (name) => context.apps[name].image === container.image,
      );
      const isTool = container.command !== undefined;
      if (!appName || isTool) continue;
      problems.push(
        ...appContainerProblems(
          `${where} ${container.name}`,
          workload,
          template,
          container,
          env,
          context.apps[appName],
          context,
        ),
      );
    }
  }

  problems.push(...serviceProblems(objects, workloads));
  problems.push(...scalingProblems(objects, set, context));
  return problems;
}

function appContainerProblems(
  where: string,
  workload: K8sObject,
  template: PodTemplate,
  container: Container,
  env: Record<string, string>,
  app: AppFacts,
  context: DriftContext,
): string[] {
  const problems: string[] = [];
  for (const entry of container.env ?? []) {
    if (!app.envNames.has(entry.name))
      problems.push(`${where}: env ${entry.name} is not read by the app`);
  }
  let config: ReturnType<AppFacts['loadConfig']>;
  try {
    config = app.loadConfig(env);
  } catch (error) {
    return [...problems, `${where}: the app refuses this environment: ${(error as Error).message}`];
  }
  const ports = new Map(
    (container.ports ?? []).map((port) => [
      port.name ?? String(port.containerPort),
      port.containerPort,
    ]),
  );
  const portOf = (port: number | string) => (typeof port === 'number' ? port : ports.get(port));
  if (ports.get('ops') !== config.opsPort)
    problems.push(
      `${where}: containerPort "ops" is ${ports.get('ops')}, the app listens for ops on ${config.opsPort}`,
    );
  if (config.port !== undefined && ports.get('http') !== config.port) {
    problems.push(
      `${where}: containerPort "http" is ${ports.get('http')}, the app listens on ${config.port}`,
    );
  }
  for (const [name, host] of [
    ['OPS_HOST', config.opsHost],
    ['API_HOST', config.host],
  ] as const) {
    if (host !== undefined && host !== '0.0.0.0' && host !== '::')
      problems.push(
        `${where}: ${name} is ${host}; probes and Services cannot reach a loopback address`,
      );
  }
  const annotated = template.metadata?.annotations?.['prometheus.io/port'];
  if (annotated !== undefined && Number(annotated) !== config.opsPort)
    problems.push(
      `${where}: prometheus.io/port ${annotated} is not the ops port ${config.opsPort}`,
    );
  for (const kind of ['readinessProbe', 'livenessProbe'] as const) {
    if (!container[kind]) problems.push(`${where}: no ${kind}`);
  }
  for (const kind of ['readinessProbe', 'livenessProbe', 'startupProbe'] as const) {
    const probe = container[kind]?.httpGet;
    if (!probe) continue;
    if (portOf(probe.port) !== config.opsPort)
      problems.push(
        `${where}: ${kind} goes to port ${probe.port}, not the ops port ${config.opsPort}`,
      );
    if (!app.opsRoutes.has(probe.path))
      problems.push(
        `${where}: ${kind} path ${probe.path} is not served (ops routes: ${[...app.opsRoutes].join(', ')})`,
      );
  }
  if (config.gradingQueue && !context.scaledQueues.includes(config.gradingQueue)) {
    problems.push(`${where}: GRADING_QUEUE ${config.gradingQueue} is not a queue KEDA scales on`);
  }
  const grace = template.spec.terminationGracePeriodSeconds ?? 30;
  if (config.shutdownGraceSeconds !== undefined && config.shutdownGraceSeconds >= grace) {
    problems.push(
      `${where}: terminationGracePeriodSeconds ${grace} leaves no room for SHUTDOWN_GRACE_SECONDS ${config.shutdownGraceSeconds}`,
    );
  }
  void workload;
  return problems;
}

function matches(
  selector: Record<string, string> | undefined,
  labels: Record<string, string> | undefined,
): boolean {
  if (!selector || Object.keys(selector).length === 0) return false;
  return Object.entries(selector).every(([key, value]) => labels?.[key] === value);
}

function serviceProblems(objects: K8sObject[], workloads: K8sObject[]): string[] {
  const problems: string[] = [];
  const deployments = workloads.filter((object) => object.kind === 'Deployment');
  for (const service of objects.filter((object) => object.kind === 'Service')) {
    const selected = deployments.filter((deployment) =>
      matches(get(service, 'spec.selector'), podTemplate(deployment)?.metadata?.labels),
    );
    if (selected.length === 0) {
      problems.push(`Service/${service.metadata.name}: its selector matches no Deployment's pods`);
      continue;
    }
    const names = new Set(
      selected.flatMap((d) =>
        podTemplate(d)!.spec.containers.flatMap((c) =>
          (c.ports ?? []).flatMap((p) => [p.name, p.containerPort]),
        ),
      ),
    );
    for (const port of get<{ targetPort: string | number }[]>(service, 'spec.ports') ?? []) {
      if (!names.has(port.targetPort))
        problems.push(
          `Service/${service.metadata.name}: targetPort ${port.targetPort} is no port of its pods`,
        );
    }
  }
  for (const pdb of objects.filter((object) => object.kind === 'PodDisruptionBudget')) {
    if (
      !deployments.some((d) =>
        matches(get(pdb, 'spec.selector.matchLabels'), podTemplate(d)?.metadata?.labels),
      )
    ) {
      problems.push(`PodDisruptionBudget/${pdb.metadata.name}: selects no Deployment's pods`);
    }
  }
  for (const ingress of objects.filter((object) => object.kind === 'Ingress')) {
    for (const rule of get<
      {
        http: {
          paths: {
            backend: { service: { name: string; port: { name?: string; number?: number } } };
          }[];
        };
      }[]
    >(ingress, 'spec.rules') ?? []) {
      for (const { backend } of rule.http.paths) {
        const service = objects.find(
          (object) => object.kind === 'Service' && object.metadata.name === backend.service.name,
        );
        const ports =
          get<{ name?: string; port: number }[]>(service ?? ({} as K8sObject), 'spec.ports') ?? [];
        if (!service)
          problems.push(
            `Ingress/${ingress.metadata.name}: backend Service ${backend.service.name} does not exist`,
          );
        else if (
          !ports.some(
            (port) =>
              port.name === backend.service.port.name || port.port === backend.service.port.number,
          )
        ) {
          problems.push(
            `Ingress/${ingress.metadata.name}: Service ${backend.service.name} has no port ${backend.service.port.name ?? backend.service.port.number}`,
          );
        }
      }
    }
  }
  return problems;
}

function scalingProblems(objects: K8sObject[], set: ManifestSet, context: DriftContext): string[] {
  const problems: string[] = [];
  const deploymentNames = new Set(
    objects.filter((object) => object.kind === 'Deployment').map((object) => object.metadata.name),
  );
  for (const hpa of objects.filter((object) => object.kind === 'HorizontalPodAutoscaler')) {
    const target = get<string>(hpa, 'spec.scaleTargetRef.name');
    if (!deploymentNames.has(target))
      problems.push(
        `HorizontalPodAutoscaler/${hpa.metadata.name}: target Deployment ${target} does not exist`,
      );
  }
  const auths = new Map(
    objects
      .filter((object) => object.kind === 'TriggerAuthentication')
      .map((object) => [object.metadata.name, object]),
  );
  for (const auth of auths.values()) {
    for (const ref of get<{ name: string; key: string }[]>(auth, 'spec.secretTargetRef') ?? []) {
      if (ref.name !== 'koodi-secrets' || !set.documentedSecretKeys.includes(ref.key)) {
        problems.push(
          `TriggerAuthentication/${auth.metadata.name}: secret ${ref.name}/${ref.key} is not a documented koodi-secrets key`,
        );
      }
    }
  }
  const scaled = new Set<string>();
  for (const scaledObject of objects.filter((object) => object.kind === 'ScaledObject')) {
    const where = `ScaledObject/${scaledObject.metadata.name}`;
    const target = get<string>(scaledObject, 'spec.scaleTargetRef.name');
    if (!deploymentNames.has(target))
      problems.push(`${where}: target Deployment ${target} does not exist`);
    for (const trigger of get<
      { type: string; metadata: Record<string, string>; authenticationRef?: { name: string } }[]
    >(scaledObject, 'spec.triggers') ?? []) {
      if (trigger.authenticationRef && !auths.has(trigger.authenticationRef.name)) {
        problems.push(
          `${where}: TriggerAuthentication ${trigger.authenticationRef.name} does not exist`,
        );
      }
      if (trigger.type !== 'redis' && trigger.type !== 'redis-cluster') continue;
      const list = trigger.metadata['listName'];
      if (!context.scaledQueues.includes(list))
        problems.push(
          `${where}: scales on list ${list}, which no app uses (queues: ${context.scaledQueues.join(', ')})`,
        );
      scaled.add(list);
    }
  }
  for (const queue of context.scaledQueues)
    if (!scaled.has(queue)) problems.push(`no ScaledObject scales on ${queue}`);
  return problems;
}
