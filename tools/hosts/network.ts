// Several hosts on one machine: one Linux network namespace per host, each with one veth link to
// a bridge that lives in a namespace of its own. The 10.77.0.0/24 addresses exist only inside
// these namespaces, so nothing the tests send can leave them; the machine's own namespace gets
// no address, no route and no link. Needs root and iproute2.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { openSync, readdirSync, readFileSync } from 'node:fs';

/** Every namespace, and so every link, made here starts with this prefix. */
export const PREFIX = 'kh-';
const SWITCH = `${PREFIX}switch`;
export const SUBNET = '10.77.0';

export interface Host {
  name: string;
  /** The host's one address, e.g. 10.77.0.21. */
  address: string;
  namespace: string;
}

export function ip(args: string[]): string {
  return execFileSync('ip', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

/** Namespaces left by an earlier run (one still running, or one that could not clean up). */
export function leftovers(): string[] {
  let listed = '';
  try {
    listed = ip(['netns', 'list']);
  } catch {
    return [];
  }
  return listed
    .split('\n')
    .map((line) => line.split(' ')[0]!)
    .filter((name) => name.startsWith(PREFIX));
}

/** The processes whose network namespace is `namespace`, and everything they started since. */
export function processesOf(namespace: string): number[] {
  let pids: number[] = [];
  try {
    pids = ip(['netns', 'pids', namespace]).split('\n').filter(Boolean).map(Number);
  } catch {
    return [];
  }
  // Children that made a namespace of their own (the sandbox) are not listed by `ip netns pids`.
  const children = new Map<number, number[]>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      children.set(ppid, [...(children.get(ppid) ?? []), Number(entry)]);
    } catch {
      // gone meanwhile
    }
  }
  const all = new Set(pids);
  const queue = [...pids];
  while (queue.length) {
    for (const child of children.get(queue.pop()!) ?? []) {
      if (!all.has(child)) {
        all.add(child);
        queue.push(child);
      }
    }
  }
  return [...all];
}

/** SIGKILL to every process of a host: the host "loses power". */
export function killHost(namespace: string): number {
  const pids = processesOf(namespace);
  for (const pid of pids) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  return pids.length;
}

/** Kills what runs in the namespaces and deletes them; their veth links go with them. */
export function removeAll(): string[] {
  const found = leftovers();
  for (const namespace of found) killHost(namespace);
  for (const namespace of found) {
    // A process just killed may hold the namespace for a moment: retry briefly.
    for (let attempt = 0; attempt < 20; attempt++) {
      try {
        ip(['netns', 'del', namespace]);
        break;
      } catch {
        execFileSync('sleep', ['0.1']);
      }
    }
  }
  return found;
}

export class Network {
  readonly hosts = new Map<string, Host>();

  /** Builds the bridge and one namespace per host; `hosts` maps a name to its last octet. */
  static build(hosts: Record<string, number>): Network {
    const network = new Network();
    ip(['netns', 'add', SWITCH]);
    ip(['-n', SWITCH, 'link', 'set', 'lo', 'up']);
    ip(['-n', SWITCH, 'link', 'add', 'br0', 'type', 'bridge']);
    ip(['-n', SWITCH, 'link', 'set', 'br0', 'up']);
    for (const [name, octet] of Object.entries(hosts)) {
      if (!/^[a-z0-9]{1,8}$/.test(name)) throw new Error(`bad host name ${name}`);
      const namespace = `${PREFIX}${name}`;
      const address = `${SUBNET}.${octet}`;
      ip(['netns', 'add', namespace]);
      ip(['-n', namespace, 'link', 'set', 'lo', 'up']);
      // Both ends are made inside the namespaces, so the link never exists in the machine's own.
      ip([
        '-n',
        SWITCH,
        'link',
        'add',
        port(name),
        'type',
        'veth',
        'peer',
        'name',
        'eth0',
        'netns',
        namespace,
      ]);
      ip(['-n', SWITCH, 'link', 'set', port(name), 'master', 'br0', 'up']);
      ip(['-n', namespace, 'addr', 'add', `${address}/24`, 'dev', 'eth0']);
      ip(['-n', namespace, 'link', 'set', 'eth0', 'up']);
      network.hosts.set(name, { name, address, namespace });
    }
    return network;
  }

  host(name: string): Host {
    const host = this.hosts.get(name);
    if (!host) throw new Error(`no host ${name}`);
    return host;
  }

  /** Pulls a host's cable at the bridge: packets are dropped, nothing is closed or refused. */
  cut(name: string): void {
    ip(['-n', SWITCH, 'link', 'set', port(name), 'down']);
  }

  heal(name: string): void {
    ip(['-n', SWITCH, 'link', 'set', port(name), 'up']);
  }

  /**
   * Starts a program on a host with its output in `logFile` (with `pipe`, only its errors; its
   * standard output is then read by the caller).
   */
  start(
    name: string,
    command: string,
    args: string[],
    logFile: string,
    env?: NodeJS.ProcessEnv,
    pipe = false,
  ): ChildProcess {
    const out = openSync(logFile, 'a');
    // `ip netns exec` enters the namespace and then execs the program: the pid is the program's.
    return spawn('ip', ['netns', 'exec', this.host(name).namespace, command, ...args], {
      env: env ?? process.env,
      stdio: ['ignore', pipe ? 'pipe' : out, out],
    });
  }

  /** Runs a short command on a host and returns its output (throws when it fails). */
  run(
    name: string,
    command: string,
    args: string[],
    timeoutMs = 10_000,
    env?: NodeJS.ProcessEnv,
  ): string {
    return execFileSync('ip', ['netns', 'exec', this.host(name).namespace, command, ...args], {
      env: env ?? process.env,
      encoding: 'utf8',
      timeout: timeoutMs,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
  }

  /** True when `url` answers 2xx from `from` (curl, so no Node start-up per probe). */
  httpOk(from: string, url: string): boolean {
    try {
      this.run(from, 'curl', ['-fsS', '-o', '/dev/null', '--max-time', '2', url], 5_000);
      return true;
    } catch {
      return false;
    }
  }
}

/** The bridge-side end of a host's link (interface names are at most 15 characters). */
function port(name: string): string {
  return `p-${name}`;
}
