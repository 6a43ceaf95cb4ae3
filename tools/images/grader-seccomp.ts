// Writes the seccomp profile of the grader containers: the container engine's default profile
// (containers-common, the lineage Docker's default shares) with one change — sethostname and
// setdomainname are allowed without CAP_SYS_ADMIN. bubblewrap names the sandbox's own UTS
// namespace ("--hostname sandbox"); the default profile refuses that to a container without
// CAP_SYS_ADMIN although the namespace is private. Everything else stays as the default has it,
// and the containers keep no capabilities at all.
//   node tools/images/grader-seccomp.ts [default profile] [output]
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ROOT } from './exec.ts';

interface SyscallRule {
  names: string[];
  action: string;
  includes?: { caps?: string[] };
  excludes?: { caps?: string[] };
  comment?: string;
}

const LIFTED = ['sethostname', 'setdomainname'];

export function graderProfile(profile: { syscalls: SyscallRule[] }): { syscalls: SyscallRule[] } {
  const syscalls = profile.syscalls
    .map((rule) => ({ ...rule, names: rule.names.filter((name) => !LIFTED.includes(name)) }))
    .filter((rule) => rule.names.length > 0);
  syscalls.push({
    names: LIFTED,
    action: 'SCMP_ACT_ALLOW',
    comment: 'bubblewrap names its private UTS namespace (--hostname) without CAP_SYS_ADMIN',
  });
  return { ...profile, syscalls };
}

if (import.meta.main) {
  const input = process.argv[2] ?? '/usr/share/containers/seccomp.json';
  const output = process.argv[3] ?? join(ROOT, 'infra', 'compose.grader-seccomp.json');
  const profile = JSON.parse(await readFile(input, 'utf8')) as { syscalls: SyscallRule[] };
  await writeFile(output, `${JSON.stringify(graderProfile(profile), null, 2)}\n`);
  console.log(`wrote ${output} from ${input}`);
}
