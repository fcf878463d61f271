import assert from 'node:assert/strict';
import type { IncomingMessage } from 'node:http';
import { test } from 'node:test';
import { isLoopbackHost, loopbackRefusal } from '../../src/http/loopback-request.ts';
import { redactUrl } from '../../src/http/redact.ts';
import { parseLoopbackBindAddress } from '../../src/server/bind-address.ts';

const request = (headers: Record<string, string>) => ({ headers }) as unknown as IncomingMessage;

test('loopback Host headers', () => {
  for (const host of ['127.0.0.1', '127.0.0.1:8182', 'localhost:1', 'LOCALHOST', '[::1]:8182', '127.9.9.9'])
    assert.ok(isLoopbackHost(host), host);
  for (const host of [
    'attacker.example',
    '127.0.0.1.attacker.example',
    'localhost.attacker.example',
    '10.0.0.1:8182',
    '',
  ])
    assert.ok(!isLoopbackHost(host), host);
});

test('the recovery listener refuses foreign hosts and cross-origin requests', () => {
  assert.equal(loopbackRefusal(request({ host: '127.0.0.1:8182' })), undefined);
  assert.equal(loopbackRefusal(request({ host: '127.0.0.1:8182', origin: 'http://127.0.0.1:8182' })), undefined);
  assert.match(loopbackRefusal(request({ host: 'attacker.example' })) ?? '', /Host/);
  assert.match(loopbackRefusal(request({})) ?? '', /Host/);
  assert.match(
    loopbackRefusal(request({ host: '127.0.0.1:8182', origin: 'http://attacker.example' })) ?? '',
    /cross-origin/,
  );
  assert.match(
    loopbackRefusal(request({ host: '127.0.0.1:8182', 'sec-fetch-site': 'cross-site' })) ?? '',
    /cross-origin/,
  );
});

test('a recovery bind address must be loopback', () => {
  assert.deepEqual(parseLoopbackBindAddress('127.0.0.1:8182', 'f'), { host: '127.0.0.1', port: 8182 });
  assert.deepEqual(parseLoopbackBindAddress('[::1]:8182', 'f'), { host: '::1', port: 8182 });
  for (const bind of [':8182', '0.0.0.0:8182', '[::]:8182', '192.168.1.2:8182'])
    assert.throws(() => parseLoopbackBindAddress(bind, 'f'), /loopback/, bind);
});

test('redactUrl compares decoded keys', () => {
  assert.equal(redactUrl('/write?db=a&%70=SECRET'), '/write?db=a&%70=REDACTED');
  assert.equal(redactUrl('/write?db=a&%50=SECRET'), '/write?db=a&%50=REDACTED');
  assert.equal(redactUrl('/query?p=SECRET&q=x'), '/query?p=REDACTED&q=x');
  assert.equal(redactUrl('/query?%74%6f%6b%65%6e=SECRET'), '/query?%74%6f%6b%65%6e=REDACTED');
  assert.equal(redactUrl('/query?%E0%A4%A=SECRET'), '/query?REDACTED', 'an undecodable key is redacted whole');
  assert.equal(redactUrl('/query?db=a&q=select'), '/query?db=a&q=select');
});
