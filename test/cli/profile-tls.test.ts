/**
 * `[profile.tls]`: the CLI reaches a fluxgate server behind a TLS front (an HTTPS proxy with our own CA,
 * which also asks for a client certificate) when the profile names the CA, or says `insecure`, and
 * presents the profile's client certificate. Certificates are made with openssl for this run.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { bootstrap } from '../helpers/http.ts';
import { runCli, type ServerProcess, startServerProcess } from '../helpers/server-process.ts';
import { fails, ok } from './cli-assertions.ts';

function makeCertificates(dir: string): void {
  const openssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
  openssl(
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-keyout',
    'ca.key',
    '-out',
    'ca.pem',
    '-days',
    '2',
    '-subj',
    '/CN=fluxgate test CA',
  );
  writeFileSync(join(dir, 'server.ext'), 'subjectAltName=IP:127.0.0.1\n');
  for (const [name, ext] of [
    ['server', ['-extfile', 'server.ext']],
    ['client', []],
  ] as const) {
    openssl(
      'req',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      `${name}.key`,
      '-out',
      `${name}.csr`,
      '-subj',
      `/CN=${name}`,
    );
    openssl(
      'x509',
      '-req',
      '-in',
      `${name}.csr`,
      '-CA',
      'ca.pem',
      '-CAkey',
      'ca.key',
      '-CAcreateserial',
      '-out',
      `${name}.pem`,
      '-days',
      '2',
      ...ext,
    );
  }
}

describe('[profile.tls] ca, insecure, cert and key', () => {
  const dir = mkdtempSync(join(tmpdir(), 'fluxgate-tls-'));
  let server: ServerProcess;
  let front: Server;
  let operator = '';
  let httpsUrl = '';

  before(async () => {
    makeCertificates(dir);
    server = await startServerProcess();
    operator = await bootstrap(server.url);
    const upstream = new URL(server.url);
    const read = (file: string) => readFileSync(join(dir, file));
    // A TLS front that forwards to the real server and wants a client certificate from our CA.
    front = createServer(
      {
        key: read('server.key'),
        cert: read('server.pem'),
        ca: read('ca.pem'),
        requestCert: true,
        rejectUnauthorized: true,
      },
      (incoming, outgoing) => {
        const forward = httpRequest(
          {
            host: upstream.hostname,
            port: upstream.port,
            method: incoming.method,
            path: incoming.url,
            headers: incoming.headers,
          },
          (answer) => {
            outgoing.writeHead(answer.statusCode ?? 502, answer.headers);
            answer.pipe(outgoing);
          },
        );
        incoming.pipe(forward);
      },
    );
    await new Promise<void>((resolve) => front.listen(0, '127.0.0.1', resolve));
    httpsUrl = `https://127.0.0.1:${(front.address() as AddressInfo).port}`;
  });
  after(async () => {
    await new Promise<void>((resolve) => front?.close(() => resolve()));
    await server?.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  const withProfile = (tls: string) => {
    const config = join(dir, `config-${Math.random().toString(36).slice(2)}.toml`);
    writeFileSync(
      config,
      `[[profile]]\nname = "default"\nhost = "${httpsUrl}"\nmgmt_token = "${operator}"\n[profile.tls]\n${tls}`,
    );
    return runCli(['--config', config, 'show', 'tokens', '--format', 'json']);
  };
  const client = `cert = "${join(dir, 'client.pem')}"\nkey = "${join(dir, 'client.key')}"\n`;

  test('the profile CA and client certificate reach the server; insecure skips verification only', async () => {
    const trusted = await withProfile(`ca = "${join(dir, 'ca.pem')}"\n${client}`);
    const names = (JSON.parse(ok(trusted, 'with ca, cert and key')) as Array<{ name: string }>).map((t) => t.name);
    assert.deepEqual(names, ['_admin']);

    ok(await withProfile(`insecure = true\n${client}`), 'insecure = true: no verification of the server');
    fails(await withProfile(client), 'without the CA the server is not trusted', /cannot reach/, /CERT|certificate/i);
    fails(
      await withProfile(`ca = "${join(dir, 'ca.pem')}"\n`),
      'without a client certificate the front refuses',
      /cannot reach/,
    );
    fails(
      await withProfile(`ca = "${join(dir, 'missing.pem')}"\n`),
      'a CA file that cannot be read',
      /\[profile\.tls\] ca: cannot read .*missing\.pem \(ENOENT\)/,
    );
    fails(await withProfile(`cert = "${join(dir, 'client.pem')}"\n`), 'cert without key', /needs both cert and key/);
  });
});
