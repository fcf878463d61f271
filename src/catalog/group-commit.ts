export interface GroupCommitOptions<Item, Result> {
  /** Commits one item in its own transaction; its error is that item's error. */
  one(item: Item): Promise<Result>;
  /** Commits several items in one transaction, all or nothing; results in the items' order. */
  many(items: Item[]): Promise<Result[]>;
  /** The most items one transaction takes. */
  maxBatch: number;
  /**
   * Whether a failed batch is worth retrying item by item: true for errors that belong to one item
   * (a name taken). Any other error (a connection lost during COMMIT, whose outcome is unknown)
   * fails the whole batch as it is, so nothing is written twice or reported as a conflict.
   */
  retryAlone(error: unknown): boolean;
}

interface Pending<Item, Result> {
  item: Item;
  resolve(result: Result): void;
  reject(error: unknown): void;
}

/**
 * Group commit: items submitted while a batch is being written, or in the same turn of the event
 * loop, go into the next batch, one transaction (and one COMMIT) for all of them. A batch is
 * all or nothing, so when it fails (a name taken, say) each of its items is retried in its own
 * transaction: exactly the failing ones fail, with the error they would have had alone.
 */
export class GroupCommit<Item, Result> {
  readonly #options: GroupCommitOptions<Item, Result>;
  #queue: Pending<Item, Result>[] = [];
  #draining: Promise<void> | undefined;

  constructor(options: GroupCommitOptions<Item, Result>) {
    this.#options = options;
  }

  submit(item: Item): Promise<Result> {
    return new Promise<Result>((resolve, reject) => {
      this.#queue.push({ item, resolve, reject });
      // After the I/O callbacks of this turn, so requests that arrived together commit together.
      this.#draining ??= new Promise((next) => setImmediate(next)).then(() => this.#drain());
    });
  }

  /** Resolves once every item submitted so far is settled. */
  settled(): Promise<void> {
    return this.#draining ?? Promise.resolve();
  }

  async #drain(): Promise<void> {
    while (this.#queue.length > 0) {
      const batch = this.#queue.splice(0, this.#options.maxBatch);
      await this.#commit(batch);
    }
    this.#draining = undefined;
  }

  async #commit(batch: Pending<Item, Result>[]): Promise<void> {
    if (batch.length > 1 && (await this.#commitTogether(batch))) return;
    await this.#commitEach(batch);
  }

  async #commitEach(batch: Pending<Item, Result>[]): Promise<void> {
    for (const pending of batch) {
      try {
        pending.resolve(await this.#options.one(pending.item));
      } catch (error) {
        pending.reject(error);
      }
    }
  }

  /** True when the batch is settled; false when each item must be tried alone. */
  async #commitTogether(batch: Pending<Item, Result>[]): Promise<boolean> {
    let results: Result[];
    try {
      results = await this.#options.many(batch.map((pending) => pending.item));
    } catch (error) {
      if (this.#options.retryAlone(error)) return false;
      for (const pending of batch) pending.reject(error);
      return true;
    }
    for (const [i, pending] of batch.entries()) pending.resolve(results[i] as Result);
    return true;
  }
}
