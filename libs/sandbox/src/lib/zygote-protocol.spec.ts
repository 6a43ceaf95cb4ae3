import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FrameReader, encodePayload } from './zygote-protocol';

function frame(kind: string, data: string): Buffer {
  const body = Buffer.from(data);
  const head = Buffer.alloc(5);
  head.write(kind, 0, 'latin1');
  head.writeUInt32BE(body.length, 1);
  return Buffer.concat([head, body]);
}

describe(FrameReader.name, () => {
  it('reassembles frames split at any byte', () => {
    const stream = Buffer.concat([
      frame('O', 'hello'),
      frame('R', '{"e":"started"}\n'),
      frame('D', '{}'),
    ]);
    for (let cut = 1; cut < stream.length; cut++) {
      const seen: string[] = [];
      const sut = new FrameReader((kind, data) => seen.push(`${kind}:${data.toString()}`));
      sut.push(stream.subarray(0, cut));
      sut.push(stream.subarray(cut));

      assert.deepEqual(seen, ['O:hello', 'R:{"e":"started"}\n', 'D:{}']);
    }
  });
});

describe(encodePayload.name, () => {
  it('puts the submission first and the tests after it, so the runner can read them apart', () => {
    const { payload, codeBytes } = encodePayload(
      'def f():\n    return "é"\n',
      'sub',
      'import unittest # ü\n',
    );

    assert.deepEqual(JSON.parse(payload.subarray(0, codeBytes).toString('utf8')), {
      code: 'def f():\n    return "é"\n',
      moduleName: 'sub',
    });
    assert.equal(payload.subarray(codeBytes).toString('utf8'), 'import unittest # ü\n');
  });
});
