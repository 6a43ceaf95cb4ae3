import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { flywayChecksum } from './checksum.ts';

describe('flywayChecksum', () => {
  it("equals Flyway's checksum for a known file", () => {
    // Value computed with java.util.zip.CRC32 over BufferedReader.readLine() lines, as Flyway does.
    const sql = readFileSync(new URL('./fixtures/V1__known_checksum.sql', import.meta.url), 'utf8');
    assert.equal(flywayChecksum(sql), -1309252477);
  });

  it('ignores line endings and a byte order mark', () => {
    const lf = 'SELECT 1;\nSELECT 2;\n';
    assert.equal(flywayChecksum(lf.replace(/\n/g, '\r\n')), flywayChecksum(lf));
    assert.equal(flywayChecksum('\uFEFF' + lf), flywayChecksum(lf));
  });

  it('changes when the content changes', () => {
    assert.notEqual(flywayChecksum('SELECT 1;'), flywayChecksum('SELECT 2;'));
  });
});
