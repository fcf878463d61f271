import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request as the server received it. */
export interface RecordedRequest {
  method: string;
  /** Path and query, as sent. */
  url: string;
  path: string;
  query: Record<string, string>;
  authorization: string | undefined;
  contentType: string | undefined;
  /** The parsed JSON body, the raw text when it is not JSON, undefined when empty. */
  body: unknown;
}

export interface Reply {
  status?: number;
  body?: unknown;
  headers?: Record<string, string>;
}

/**
 * A real HTTP server on a loopback port that records every request and answers from a script:
 * each test queues the replies it wants, in order (a request beyond the script gets a 599 that
 * fails the test). It stands in for a server whose routes do not exist yet, so a client can be
 * tested against the contract's example bodies while the server is being built.
 */
export class RecordingServer {
  readonly requests: RecordedRequest[] = [];
  private script: Array<Reply | ((request: RecordedRequest) => Reply)> = [];
  private server: Server | undefined;
  url = '';

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      void this.handle(req).then(({ status, body, headers }) => {
        res.writeHead(status ?? 200, {
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
          ...headers,
        });
        res.end(body === undefined ? undefined : JSON.stringify(body));
      });
    });
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  /** Queues the replies of the next requests and forgets what was recorded so far. */
  reply(...replies: Array<Reply | ((request: RecordedRequest) => Reply)>): void {
    this.script = replies;
    this.requests.length = 0;
  }

  /** Replies not used up by the CLI run (a test that expected more requests fails on them). */
  get unused(): number {
    return this.script.length;
  }

  stop(): Promise<void> {
    return new Promise((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  private async handle(req: IncomingMessage): Promise<Reply> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    let body: unknown;
    if (text !== '') {
      try {
        body = JSON.parse(text);
      } catch {
        body = text;
      }
    }
    const url = new URL(req.url ?? '/', 'http://recording');
    const recorded: RecordedRequest = {
      method: req.method ?? '',
      url: req.url ?? '',
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      authorization: req.headers.authorization,
      contentType: req.headers['content-type'],
      body,
    };
    this.requests.push(recorded);
    const next = this.script.shift();
    if (next === undefined) return { status: 599, body: { code: 599, message: 'unexpected request' } };
    return typeof next === 'function' ? next(recorded) : next;
  }
}
