import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { type IncomingMessage, request } from 'node:http';
import { after, before, describe, test } from 'node:test';
import { bootstrap, call } from '../helpers/http.ts';
import { type ServerProcess, startServerProcess } from '../helpers/server-process.ts';

// InfluxQL results stream (issue 12 finding 1 for InfluxQL): a SELECT of 10^6 raw rows is sent
// series by series as it is read, with the server's memory bounded and the query still running
// when the first bytes are in the client's hands; chunked mode cuts chunks as InfluxDB 1.x does;
// the cap, the deadline and a client that leaves stop it on every InfluxQL face.

const ROWS = 1_000_000;
const HOSTS = 4;
const BATCH = 50_000;
const T0 = 1_700_000_000_000_000_000n;

function rssMiB(pid: number): number {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8')
    .split('\n')
    .find((l) => l.startsWith('VmRSS:'));
  return Number(/(\d+)/.exec(line ?? '')?.[1] ?? Number.NaN) / 1024;
}

/** Writes ROWS points of `cpu`, HOSTS series, one second apart. */
async function writeMany(server: ServerProcess, token: string): Promise<void> {
  for (let start = 0; start < ROWS; start += BATCH) {
    let body = '';
    for (let i = start; i < start + BATCH; i++) {
      body += `cpu,host=h${i % HOSTS} usage=${i % 1000},idle=${i}i ${T0 + BigInt(i) * 1_000_000_000n}\n`;
    }
    const written = await call(server.url, 'POST', '/api/v3/write_lp?db=big', { token, body });
    assert.equal(written.status, 204, written.text);
  }
}

async function activeQueries(server: ServerProcess, admin: string): Promise<number> {
  const metrics = await call(server.url, 'GET', '/metrics', { token: admin });
  const line = metrics.text.split('\n').find((l) => l.startsWith('fluxgate_active_queries '));
  assert.ok(line, 'the active query gauge is exported');
  return Number(line.split(' ')[1]);
}

async function eventually(check: () => Promise<boolean> | boolean, what: string, limitMs = 30_000): Promise<void> {
  const deadline = Date.now() + limitMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  assert.fail(`never came true: ${what}`);
}

const v1Path = (q: string, extra = '') => `/query?db=big&epoch=ns${extra}&q=${encodeURIComponent(q)}`;

/** Opens a GET and resolves with the response once its headers (and so its first bytes) are there. */
function open(url: string, token: string): Promise<{ res: IncomingMessage; destroy: () => void }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { headers: { authorization: `Bearer ${token}` } }, (res) =>
      resolve({ res, destroy: () => req.destroy() }),
    );
    req.on('error', reject);
    req.end();
  });
}

/** Reads a whole response, calling `sample` every few hundred chunks. */
function readAll(res: IncomingMessage, sample: () => void): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let count = 0;
    res.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      if (++count % 100 === 0) sample();
    });
    res.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    res.on('error', reject);
  });
}

/** The first `bytes` of a paused response (it stays paused: the server meets backpressure). */
function firstBytes(res: IncomingMessage, bytes: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      chunks.push(chunk);
      size += chunk.length;
      if (size >= bytes) {
        res.pause();
        res.off('data', onData);
        resolve(Buffer.concat(chunks));
      }
    };
    res.on('data', onData);
    res.on('error', reject);
  });
}

describe('InfluxQL results of 10^6 rows stream', () => {
  let server: ServerProcess;
  let admin: string;
  before(async () => {
    server = await startServerProcess({ args: ['--query-timeout', '300s'] });
    admin = await bootstrap(server.url);
    await writeMany(server, admin);
  });
  after(() => server.dispose());

  test('/query JSON: the first bytes arrive while the query runs, memory stays bounded, the rows are all there', async (t) => {
    const pid = server.pid!;
    const start = rssMiB(pid);
    let peak = start;
    const sample = () => {
      peak = Math.max(peak, rssMiB(pid));
    };
    const { res } = await open(`${server.url}${v1Path('SELECT usage, idle FROM cpu')}`, admin);
    assert.equal(res.statusCode, 200);
    const head = await firstBytes(res, 256 * 1024);
    assert.match(head.toString('utf8'), /^\{"results":\[\{"statement_id":0,"series":\[\{"name":"cpu","columns":/);
    // The client holds the first bytes and reads no more: the statement is still open on the server.
    assert.equal(await activeQueries(server, admin), 1, 'the query is still streaming');
    sample();
    res.resume();
    const text = head.toString('utf8') + (await readAll(res, sample));
    sample();
    const body = JSON.parse(text) as { results: Array<{ series: Array<{ values: number[][] }> }> };
    const values = body.results[0]!.series[0]!.values;
    assert.equal(values.length, ROWS);
    assert.deepEqual(values[0], [Number(T0), 0, 0]);
    assert.deepEqual(values.at(-1), [Number(T0 + BigInt(ROWS - 1) * 1_000_000_000n), (ROWS - 1) % 1000, ROWS - 1]);
    t.diagnostic(`server RSS ${Math.round(start)} MiB before, peak ${Math.round(peak)} MiB while sending ${ROWS} rows`);
    // Held whole, 10^6 rows were several hundred MiB of rows, series and text before the first byte.
    assert.ok(peak - start < 200, `RSS grew by ${Math.round(peak - start)} MiB (from ${Math.round(start)})`);
    await eventually(async () => (await activeQueries(server, admin)) === 0, 'the query ends');
  });

  test('/query chunked: a chunk per chunk_size rows of a series, partial on continued series and results', async () => {
    const { res } = await open(
      `${server.url}${v1Path('SELECT usage FROM cpu GROUP BY host', '&chunked=true&chunk_size=100000')}`,
      admin,
    );
    assert.equal(res.statusCode, 200);
    const lines = (await readAll(res, () => {}))
      .trimEnd()
      .split('\n')
      .map(
        (line) =>
          JSON.parse(line) as {
            results: Array<{
              partial?: boolean;
              series: Array<{ tags: { host: string }; partial?: boolean; values: unknown[] }>;
            }>;
          },
      );
    // Four series of 250,000 rows: 100,000 + 100,000 + 50,000 each.
    assert.equal(lines.length, HOSTS * 3);
    lines.forEach((line, i) => {
      const [result] = line.results;
      const [series] = result!.series;
      assert.equal(series!.tags.host, `h${Math.floor(i / 3)}`);
      assert.equal(series!.values.length, i % 3 === 2 ? 50_000 : 100_000);
      assert.equal(series!.partial, i % 3 === 2 ? undefined : true, `chunk ${i}: the series continues`);
      assert.equal(result!.partial, i === lines.length - 1 ? undefined : true, `chunk ${i}: more chunks follow`);
    });
  });

  test('query_influxql jsonl and Flight-shaped flat rows stream; a client that leaves stops the query', async () => {
    const { res, destroy } = await open(
      `${server.url}/api/v3/query_influxql?db=big&format=jsonl&q=${encodeURIComponent('SELECT * FROM cpu')}`,
      admin,
    );
    assert.equal(res.statusCode, 200);
    const head = (await firstBytes(res, 1024 * 1024)).toString('utf8');
    const first = JSON.parse(head.split('\n')[0]!) as Record<string, unknown>;
    assert.deepEqual(first, {
      'iox::measurement': 'cpu',
      time: '2023-11-14T22:13:20Z',
      host: 'h0',
      idle: 0,
      usage: 0,
    });
    assert.equal(await activeQueries(server, admin), 1, 'the query is still streaming');
    destroy();
    await eventually(async () => (await activeQueries(server, admin)) === 0, 'leaving stops the query');
    const v1 = await open(`${server.url}${v1Path('SELECT usage FROM cpu', '&chunked=true')}`, admin);
    await firstBytes(v1.res, 64 * 1024);
    v1.destroy();
    await eventually(async () => (await activeQueries(server, admin)) === 0, 'leaving /query stops the query');
    const after = await call(server.url, 'GET', v1Path('SELECT count(usage) FROM cpu'), { token: admin });
    assert.equal(after.status, 200, after.text);
    assert.match(after.text, new RegExp(`\\[0,${ROWS}\\]`));
  });
});

describe('InfluxQL chunks and the result cap as InfluxDB 1.x answers them', () => {
  let server: ServerProcess;
  let admin: string;
  before(async () => {
    server = await startServerProcess({ args: ['--query-max-result', '1000rows'] });
    admin = await bootstrap(server.url);
    const lines = [
      ...[0, 1, 2, 3, 4].map((i) => `m,host=a v=${i} ${i}000000000`),
      ...[0, 1, 2].map((i) => `m,host=b v=${10 + i} ${i}000000000`),
    ];
    const written = await call(server.url, 'POST', '/api/v3/write_lp?db=small&precision=ns', {
      token: admin,
      body: lines.join('\n'),
    });
    assert.equal(written.status, 204, written.text);
    // Rows of 200 bytes: 900 of them are past the 64 KiB held back, within the 1000-row cap.
    let body = '';
    for (let i = 0; i < 3000; i++) body += `fat s="${'x'.repeat(200)}",n=${i}i ${i}000000000\n`;
    assert.equal(
      (await call(server.url, 'POST', '/api/v3/write_lp?db=small&precision=ns', { token: admin, body })).status,
      204,
    );
  });
  after(() => server.dispose());

  const get = (q: string, extra = '') =>
    call(server.url, 'GET', `/query?db=small&epoch=s${extra}&q=${encodeURIComponent(q)}`, { token: admin });

  test('chunk_size=2 over series of 5 and 3 rows: the lines InfluxDB 1.x writes', async () => {
    const response = await get('SELECT v FROM m GROUP BY host', '&chunked=true&chunk_size=2');
    assert.equal(response.status, 200);
    const chunk = (host: string, values: number[][], seriesPartial: boolean, more: boolean) =>
      JSON.stringify({
        results: [
          {
            statement_id: 0,
            series: [
              {
                name: 'm',
                tags: { host },
                columns: ['time', 'v'],
                values,
                ...(seriesPartial ? { partial: true } : {}),
              },
            ],
            ...(more ? { partial: true } : {}),
          },
        ],
      });
    const pairs = (...times: number[]) => times.map((t) => [t, t]);
    assert.deepEqual(response.text.trimEnd().split('\n'), [
      chunk('a', pairs(0, 1), true, true),
      chunk('a', pairs(2, 3), true, true),
      chunk('a', pairs(4), false, true),
      chunk(
        'b',
        [
          [0, 10],
          [1, 11],
        ],
        true,
        true,
      ),
      chunk('b', [[2, 12]], false, false),
    ]);
    const exact = await get("SELECT v FROM m WHERE host = 'b'", '&chunked=true&chunk_size=3');
    const whole = {
      name: 'm',
      columns: ['time', 'v'],
      values: [
        [0, 10],
        [1, 11],
        [2, 12],
      ],
    };
    assert.equal(
      exact.text,
      `${JSON.stringify({ results: [{ statement_id: 0, series: [whole] }] })}\n`,
      'a series of exactly chunk_size rows is one chunk, not partial',
    );
  });

  test('past the cap: 400 before the first byte, the statement error after the rows sent', async () => {
    for (const extra of ['', '&chunked=true']) {
      const early = await get('SELECT s FROM fat', extra);
      assert.equal(early.status, 400, early.text.slice(0, 300));
      assert.match(early.text, /--query-max-result/);
    }
    const csv = await call(server.url, 'GET', `/query?db=small&q=${encodeURIComponent('SELECT s FROM fat')}`, {
      token: admin,
      headers: { accept: 'application/csv' },
    });
    assert.equal(csv.status, 400, 'CSV too');
    // Statement 0 (900 rows, 190 KB) is flushed; statement 1 then passes the cap: its error, in the body.
    const late = await get('SELECT s FROM fat LIMIT 900; SELECT s FROM fat');
    assert.equal(late.status, 200, late.text.slice(0, 300));
    const body = JSON.parse(late.text) as {
      results: Array<{ statement_id: number; error?: string; series?: Array<{ values: unknown[] }> }>;
    };
    assert.equal(body.results.length, 2);
    assert.equal(body.results[0]!.series![0]!.values.length, 900);
    assert.equal(body.results[1]!.statement_id, 1);
    assert.match(body.results[1]!.error ?? '', /--query-max-result/);
    const flat = await call(
      server.url,
      'GET',
      `/api/v3/query_influxql?db=small&format=jsonl&q=${encodeURIComponent('SELECT s FROM fat')}`,
      { token: admin },
    );
    assert.equal(flat.status, 200);
    const flatLines = flat.text.trimEnd().split('\n');
    assert.equal(flatLines.length, 1001);
    assert.match(JSON.parse(flatLines.at(-1)!).fluxgate_truncated, /more than 1000 rows.*--query-max-result/);
  });
});

describe('the InfluxQL deadline covers sending', () => {
  let server: ServerProcess;
  let admin: string;
  before(async () => {
    server = await startServerProcess({ args: ['--query-timeout', '2s'] });
    admin = await bootstrap(server.url);
    for (let batch = 0; batch < 4; batch++) {
      let body = '';
      for (let i = batch * BATCH; i < (batch + 1) * BATCH; i++) body += `cpu usage=${i} ${T0 + BigInt(i)}\n`;
      assert.equal((await call(server.url, 'POST', '/api/v3/write_lp?db=slow', { token: admin, body })).status, 204);
    }
  });
  after(() => server.dispose());

  test('a client that stops reading is cut off at the deadline and the query stops', async () => {
    // 200,000 one-row chunks, about 25 MB: more than the sockets buffer, so the server must wait for the client.
    const { res } = await open(
      `${server.url}/query?db=slow&chunked=true&chunk_size=1&q=${encodeURIComponent('SELECT usage FROM cpu')}`,
      admin,
    );
    assert.equal(res.statusCode, 200);
    await firstBytes(res, 64 * 1024);
    assert.equal(await activeQueries(server, admin), 1, 'the query is waiting for the client');
    // Read nothing more: only the deadline can end this response.
    await eventually(async () => (await activeQueries(server, admin)) === 0, 'the deadline stops the query');
    const rest = await new Promise<string>((resolve) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      const done = () => resolve(Buffer.concat(chunks).toString('utf8'));
      res.once('end', done);
      res.once('error', done);
      res.resume();
    });
    const lines = rest.split('\n').filter((line) => line !== '');
    assert.ok(lines.length < 200_000, `the answer was cut off: ${lines.length} lines`);
  });
});
