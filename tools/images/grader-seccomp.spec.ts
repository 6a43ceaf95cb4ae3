import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from './exec.ts';
import { graderProfile } from './grader-seccomp.ts';

describe('graderProfile', () => {
  const base = {
    defaultAction: 'SCMP_ACT_ERRNO',
    syscalls: [
      { names: ['read', 'write', 'unshare'], action: 'SCMP_ACT_ALLOW' },
      {
        names: ['bpf', 'sethostname', 'setdomainname'],
        action: 'SCMP_ACT_ALLOW',
        includes: { caps: ['CAP_SYS_ADMIN'] },
      },
      {
        names: ['bpf', 'sethostname', 'setdomainname'],
        action: 'SCMP_ACT_ERRNO',
        excludes: { caps: ['CAP_SYS_ADMIN'] },
      },
      { names: ['sethostname'], action: 'SCMP_ACT_ERRNO' },
    ],
  };

  it('allows naming the UTS namespace and changes nothing else', () => {
    const sut = graderProfile(base);
    const rulesFor = (name: string) => sut.syscalls.filter((rule) => rule.names.includes(name));
    assert.deepEqual(
      rulesFor('sethostname').map((rule) => [rule.action, rule.includes, rule.excludes]),
      [['SCMP_ACT_ALLOW', undefined, undefined]],
    );
    assert.deepEqual(
      rulesFor('bpf').map((rule) => rule.action),
      ['SCMP_ACT_ALLOW', 'SCMP_ACT_ERRNO'],
    );
    assert.equal(sut.syscalls.length, 4, 'the sethostname-only rule is gone, one new rule added');
  });

  it('matches the committed infra/compose.grader-seccomp.json in shape', () => {
    const committed = JSON.parse(
      readFileSync(join(ROOT, 'infra', 'compose.grader-seccomp.json'), 'utf8'),
    ) as {
      syscalls: { names: string[]; action: string; includes?: unknown }[];
    };
    const lifted = committed.syscalls.filter((rule) => rule.names.includes('sethostname'));
    assert.equal(lifted.length, 1);
    assert.equal(lifted[0].action, 'SCMP_ACT_ALLOW');
    assert.equal(lifted[0].includes, undefined);
  });
});
