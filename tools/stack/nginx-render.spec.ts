// The NGINX configuration the local stack runs: infra/nginx/nginx.dev.conf as renderNginxConfig
// fills it in. tools/nginx/nginx-config.int.spec.ts runs the same rendering in a real NGINX.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { renderNginxConfig } from './stack.ts';

describe(renderNginxConfig.name, () => {
  const dir = mkdtempSync(join(tmpdir(), 'koodi-nginx-render-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const render = (options: Partial<Parameters<typeof renderNginxConfig>[0]>) =>
    readFileSync(
      renderNginxConfig({ dir, port: 8123, apiPorts: [3101, 3102], ...options }),
      'utf8',
    );

  it('fills in every placeholder: upstreams, port, web root and the folders under dir', () => {
    const sut = render({ webRoot: '/srv/web', tmpDir: join(dir, 'elsewhere') });
    assert.doesNotMatch(sut, /\{\{\w+\}\}/);
    assert.match(sut, /server 127\.0\.0\.1:3101 max_fails=2 fail_timeout=5s;/);
    assert.match(sut, /server 127\.0\.0\.1:3102 max_fails=2 fail_timeout=5s;/);
    assert.match(sut, /listen 8123 reuseport;/);
    assert.match(sut, /root \/srv\/web;/);
    assert.ok(sut.includes(`pid ${dir}/nginx.pid;`));
    assert.ok(sut.includes(`client_body_temp_path ${join(dir, 'elsewhere')}/client_body;`));
  });

  it('listens on one address when told, and takes replicas on other hosts by address', () => {
    const sut = render({ listenAddress: '127.0.0.1', apiAddresses: ['10.9.0.2:3000'] });
    assert.match(sut, /listen 127\.0\.0\.1:8123 reuseport;/);
    assert.match(sut, /server 10\.9\.0\.2:3000 /);
    assert.doesNotMatch(sut, /127\.0\.0\.1:3101/);
  });

  it('points at an address that is always down while no API runs, so NGINX still starts', () => {
    assert.match(render({ apiPorts: [] }), /server 127\.0\.0\.1:1 max_fails/);
  });

  it("adjusts only the submissions zone's rate", () => {
    const plain = render({}).split('\n');
    const sut = render({ submissionRate: '5000r/s' }).split('\n');
    const changed = sut.filter((line, i) => line !== plain[i]);
    assert.equal(sut.length, plain.length);
    assert.equal(changed.length, 1);
    assert.match(changed[0], /zone=submissions:\S+ rate=5000r\/s;/);
  });
});
