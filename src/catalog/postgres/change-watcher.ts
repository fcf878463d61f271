import pg from 'pg';
import { CHANGE_CHANNEL, parseChangeNotice } from './change-feed.ts';

const FIRST_RETRY_MS = 100;
const MAX_RETRY_MS = 5000;
export const WATCHER_APPLICATION_NAME = 'fluxgate-catalog-listen';

export interface ChangeWatcherOptions {
  url: string;
  /** This catalog instance's id: its own notices are skipped (it announces its commits directly). */
  source: string;
  onChange: () => void;
}

/**
 * A dedicated connection that LISTENs for other nodes' catalog changes. When the connection drops
 * it reconnects with backoff, and once back it reports a change, since notices sent while it was
 * away are lost: followers then catch up through `changesSince`.
 */
export class ChangeWatcher {
  readonly #options: ChangeWatcherOptions;
  #client: pg.Client | undefined;
  #retryMs = FIRST_RETRY_MS;
  #timer: NodeJS.Timeout | undefined;
  #stopped = false;

  constructor(options: ChangeWatcherOptions) {
    this.#options = options;
  }

  /** Resolves once listening; rejects if the first connection fails. */
  async start(): Promise<void> {
    await this.#connect();
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#timer);
    const client = this.#client;
    this.#client = undefined;
    await client?.end().catch(() => {});
  }

  async #connect(): Promise<void> {
    const client = new pg.Client({ connectionString: this.#options.url, application_name: WATCHER_APPLICATION_NAME });
    const lost = () => this.#lost(client);
    client.on('error', lost);
    client.on('end', lost);
    client.on('notification', (message) => {
      if (message.channel !== CHANGE_CHANNEL) return;
      if (parseChangeNotice(message.payload)?.source === this.#options.source) return;
      this.#options.onChange();
    });
    try {
      await client.connect();
      await client.query(`listen ${CHANGE_CHANNEL}`);
    } catch (error) {
      client.removeListener('end', lost);
      await client.end().catch(() => {});
      throw error;
    }
    if (this.#stopped) {
      await client.end().catch(() => {});
      return;
    }
    this.#client = client;
  }

  #lost(client: pg.Client): void {
    if (client !== this.#client) return;
    this.#client = undefined;
    client.end().catch(() => {});
    this.#scheduleReconnect();
  }

  #scheduleReconnect(): void {
    if (this.#stopped) return;
    this.#timer = setTimeout(() => {
      this.#connect().then(
        () => {
          this.#retryMs = FIRST_RETRY_MS;
          if (!this.#stopped) this.#options.onChange();
        },
        () => {
          this.#retryMs = Math.min(this.#retryMs * 2, MAX_RETRY_MS);
          this.#scheduleReconnect();
        },
      );
    }, this.#retryMs);
    this.#timer.unref();
  }
}
