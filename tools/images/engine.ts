// Finds a working container engine (Docker, else podman, installing Debian's podman when run as
// root and missing) and the compose tool that goes with it.
import { existsSync, readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { aptInstall, canInstallWithApt, runQuiet, succeeds, which } from './exec.ts';

export interface Engine {
  name: 'docker' | 'podman';
  bin: string;
  describe: string;
  /** Extra arguments for `build`. */
  buildArgs: string[];
  isHealthy(container: string): Promise<boolean>;
  imageExists(reference: string): Promise<boolean>;
}

async function dockerEngine(bin: string): Promise<Engine> {
  process.env.DOCKER_BUILDKIT = '1';
  const version = (await runQuiet(bin, ['version', '-f', '{{.Server.Version}}'])).trim();
  return {
    name: 'docker',
    bin,
    describe: `server ${version}`,
    buildArgs: [],
    async isHealthy(container) {
      const status = (
        await runQuiet(bin, [
          'inspect',
          '-f',
          '{{if .State.Health}}{{.State.Health.Status}}{{else}}{{.State.Status}}{{end}}',
          container,
        ])
      ).trim();
      return status === 'healthy' || status === 'running';
    },
    imageExists: (reference) => succeeds(bin, ['image', 'inspect', reference]),
  };
}

/** This process's hard limit from /proc/self/limits (null when unlimited or unknown). */
function hardLimit(name: string): number | null {
  try {
    const line = readFileSync('/proc/self/limits', 'utf8')
      .split('\n')
      .find((row) => row.startsWith(name));
    const hard = line?.slice(name.length).trim().split(/\s+/)[1];
    return hard && /^\d+$/.test(hard) ? Number(hard) : null;
  } catch {
    return null;
  }
}

/**
 * Podman reads its settings from files named by environment variables: short names resolve on
 * Docker Hub as with Docker, and on hosts that limit rlimits or run cgroup v1 (some CI sandboxes)
 * containers get limits they may set and the runc runtime.
 */
async function configurePodman(work: string): Promise<string[]> {
  const notes: string[] = [];
  const registries = join(work, 'registries.conf');
  await writeFile(
    registries,
    'unqualified-search-registries = ["docker.io"]\nshort-name-mode = "permissive"\n',
  );
  process.env.CONTAINERS_REGISTRIES_CONF = registries;

  const nofile = Math.min(hardLimit('Max open files') ?? 1_048_576, 1_048_576);
  const nproc = Math.min(hardLimit('Max processes') ?? 32_768, 32_768);
  const lines = [
    '[containers]',
    `default_ulimits = ["nofile=${nofile}:${nofile}", "nproc=${nproc}:${nproc}"]`,
  ];
  const cgroupV2 = existsSync('/sys/fs/cgroup/cgroup.controllers');
  if (!cgroupV2 && which('runc')) {
    lines.push('[engine]', 'runtime = "runc"');
    notes.push('cgroup v1: runc');
  }
  const conf = join(work, 'containers.conf');
  await writeFile(conf, `${lines.join('\n')}\n`);
  process.env.CONTAINERS_CONF = conf;
  notes.push(`ulimits nofile=${nofile} nproc=${nproc}`);
  return notes;
}

async function podmanEngine(bin: string, work: string): Promise<Engine> {
  const notes = await configurePodman(work);
  const version = (await runQuiet(bin, ['version', '-f', '{{.Client.Version}}'])).trim();
  return {
    name: 'podman',
    bin,
    describe: [`${version}`, ...notes].join(', '),
    // The docker format keeps HEALTHCHECK and STOPSIGNAL (OCI images drop them).
    buildArgs: ['--layers', '--format', 'docker'],
    async isHealthy(container) {
      // Without systemd nothing runs podman's health checks on a timer: run one now.
      try {
        await runQuiet(bin, ['healthcheck', 'run', container]);
        return true;
      } catch (error) {
        if (/no defined healthcheck|has no healthcheck/i.test(String(error))) {
          return (
            (await runQuiet(bin, ['inspect', '-f', '{{.State.Status}}', container])).trim() ===
            'running'
          );
        }
        return false;
      }
    },
    imageExists: (reference) => succeeds(bin, ['image', 'exists', reference]),
  };
}

/**
 * Compose's services find each other by name. Podman's CNI backend needs the dnsname plugin for
 * that, netavark needs aardvark-dns; a podman installed without recommends may have neither.
 */
async function ensureContainerDns(podman: string): Promise<void> {
  if (!canInstallWithApt()) return;
  const backend = (await runQuiet(podman, ['info', '--format', '{{.Host.NetworkBackend}}'])).trim();
  const plugin =
    backend === 'netavark' ? 'aardvark-dns' : 'golang-github-containernetworking-plugin-dnsname';
  const status = await runQuiet('dpkg-query', ['-W', '-f', '${Status}', plugin]).catch(() => '');
  if (status.includes('install ok installed')) return;
  console.log(`podman (${backend}) cannot resolve container names: installing Debian ${plugin}`);
  await aptInstall([plugin]);
}

export async function detectEngine(work: string): Promise<Engine> {
  const docker = which('docker');
  if (docker && (await succeeds(docker, ['info']))) return dockerEngine(docker);
  let podman = which('podman');
  if (!podman && canInstallWithApt()) {
    console.log('no working Docker or podman: installing Debian podman, buildah, podman-compose');
    const packages = [
      'podman',
      'buildah',
      'podman-compose',
      'uidmap',
      'slirp4netns',
      'fuse-overlayfs',
      // Without recommends, Debian's podman networks through CNI, which resolves no container
      // names unless this plugin is there: the migrate container could not find `postgres`.
      'golang-github-containernetworking-plugin-dnsname',
    ];
    if (!existsSync('/sys/fs/cgroup/cgroup.controllers')) packages.push('runc');
    await aptInstall(packages);
    podman = which('podman');
  }
  // crun cannot create containers on a cgroup v1 host; runc can (podmanEngine picks it).
  if (
    podman &&
    !existsSync('/sys/fs/cgroup/cgroup.controllers') &&
    !which('runc') &&
    canInstallWithApt()
  ) {
    console.log('cgroup v1 and no runc: installing Debian runc');
    await aptInstall(['runc']);
  }
  if (podman) {
    await ensureContainerDns(podman);
    return podmanEngine(podman, work);
  }
  throw new Error(
    'no container engine: start Docker, or install podman, buildah and podman-compose (Debian/Ubuntu: apt-get install podman buildah podman-compose)',
  );
}

export async function composeOf(engine: Engine): Promise<string[]> {
  if (engine.name === 'docker') {
    if (await succeeds(engine.bin, ['compose', 'version'])) return [engine.bin, 'compose'];
    const legacy = which('docker-compose');
    if (legacy) return [legacy];
    throw new Error('Docker has no compose plugin: install docker-compose-plugin');
  }
  let tool = which('podman-compose');
  if (!tool && canInstallWithApt()) {
    await aptInstall(['podman-compose']);
    tool = which('podman-compose');
  }
  if (tool) return [tool];
  throw new Error('podman-compose is missing (Debian/Ubuntu: apt-get install podman-compose)');
}
