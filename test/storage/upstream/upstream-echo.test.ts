/**
 * An upstream (or a proxy in front of it) that echoes the request in its error answers: the
 * gateway's credential must not travel on in an error, on any HTTP path to the upstream. The peer
 * is a raw node:http server written here, standing in for a third-party upstream; what it calls is
 * the adapter's real code.
 */
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import { openJsonLinesQuery } from '../../../src/storage/upstream/json-lines-query.ts';
import { UpstreamHttp } from '../../../src/storage/upstream/upstream-http.ts';
import { writeUpstream } from '../../../src/storage/upstream/upstream-writes.ts';

const TOKEN = 'apiv3_echoedSecret0123456789abcdefghijklmnopqrstuvwxyz';

let server: http.Server;
let upstream: UpstreamHttp;
before(async () => {
  server = http.createServer((request, response) => {
    request.resume();
    request.on('end', () => {
      const status = request.url?.startsWith('/api/v3/query_sql') ? 400 : 502;
      response.writeHead(status, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ error: `refused, you sent: ${request.headers.authorization}` }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  upstream = new UpstreamHttp({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, token: TOKEN });
});
after(async () => {
  await upstream.close();
  await new Promise((resolve) => server.close(resolve));
});

/** The error `attempt` throws, checked to carry the peer's echo with the credential cut out. */
async function echoed(attempt: Promise<unknown>): Promise<string> {
  const error = await attempt.then(
    () => assert.fail('expected the upstream to refuse'),
    (caught: unknown) => caught as Error,
  );
  const text = `${error.message} ${JSON.stringify(error)}`;
  assert.ok(!text.includes(TOKEN), `the credential reached the error: ${text}`);
  assert.match(error.message, /you sent: Bearer \[redacted\]/);
  return error.message;
}

test('a query answered with an echo of the request: the error has the echo without the credential', async () => {
  const query = openJsonLinesQuery(
    upstream,
    { database: 'db', sql: 'SELECT 1' },
    { deadlineMs: 5000, onClose: () => {} },
  );
  await echoed(query);
});

test('a call answered with an echo (a write refused by a proxy): its failure has it without the credential', async () => {
  const write = writeUpstream(
    upstream,
    'db',
    { kind: 'source', body: Buffer.from('m v=1 1'), precision: 'ns', pointCount: 1 },
    { atomic: false, noSync: false },
    5000,
  );
  assert.match(await echoed(write), /HTTP 502/);
});
