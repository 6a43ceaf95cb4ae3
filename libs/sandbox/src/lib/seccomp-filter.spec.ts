import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DENIED_SYSCALLS, buildSeccompFilter } from './seccomp-filter';

describe(buildSeccompFilter.name, () => {
  for (const arch of ['x64', 'arm64']) {
    it(`builds a program for ${arch} that checks the architecture first and ends in ALLOW, ERRNO, KILL`, () => {
      const sut = buildSeccompFilter(arch);
      const insns = sut.length / 8;

      assert.equal(sut.length % 8, 0);
      assert.equal(insns, (arch === 'x64' ? 4 : 3) + DENIED_SYSCALLS.length + 3);
      assert.equal(sut.readUInt16LE(0), 0x20);
      assert.equal(sut.readUInt32LE(4), 4);
      assert.equal(sut.readUInt32LE((insns - 3) * 8 + 4), 0x7fff0000);
      assert.equal(sut.readUInt32LE((insns - 2) * 8 + 4), 0x00050001);
      assert.equal(sut.readUInt32LE((insns - 1) * 8 + 4), 0x80000000);
    });
  }

  it('refuses an architecture it has no syscall table for', () => {
    assert.throws(() => buildSeccompFilter('ia32'));
  });
});
