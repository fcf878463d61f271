import type { UpstreamHttp } from './upstream-http.ts';

const PATH = '/api/v3/configure/database';

/** Creates a database upstream; one that exists already is fine (a retried create, an adopted one). */
export async function createUpstreamDatabase(http: UpstreamHttp, name: string, timeoutMs: number): Promise<void> {
  const answer = await http.call({
    method: 'POST',
    path: PATH,
    body: JSON.stringify({ db: name }),
    contentType: 'application/json',
    timeoutMs,
  });
  if (answer.status === 200 || answer.status === 201 || answer.status === 204 || answer.status === 409) return;
  throw http.failed(answer, `creating database '${name}'`);
}

/** Deletes a database upstream; one that is not there is fine (deleted already, never written). */
export async function deleteUpstreamDatabase(http: UpstreamHttp, name: string, timeoutMs: number): Promise<void> {
  const answer = await http.call({ method: 'DELETE', path: PATH, query: { db: name }, timeoutMs });
  if (answer.status === 200 || answer.status === 204 || answer.status === 404) return;
  throw http.failed(answer, `deleting database '${name}'`);
}
