interface Pending<T, R> {
  item: T;
  weight: number;
  resolve: (result: R) => void;
  reject: (error: unknown) => void;
}

interface Exclusive {
  run: () => Promise<unknown>;
  resolve: (result: unknown) => void;
  reject: (error: unknown) => void;
}

export interface GroupCommitOptions<T, R> {
  /** Commits a group in one transaction; settles each item on its own, so one failure does not fail the others. */
  processGroup: (items: T[]) => Promise<Array<PromiseSettledResult<R>>>;
  /** The most weight one group takes (a group always takes at least one item). */
  maxGroupWeight: number;
  /**
   * Wait one turn of the event loop before starting a group from an idle queue, so requests that
   * arrived together share it. For a synchronous driver (better-sqlite3), which otherwise commits
   * the first request before the others are even read.
   */
  gatherTurn?: boolean;
}

/**
 * Group commit: serializes the work on one store. Items waiting together are handed to
 * `processGroup` in one call (one transaction, one sync for all of them) up to `maxGroupWeight`;
 * exclusive tasks run alone, in queue order. While one group commits, the next one gathers.
 */
export class GroupCommitQueue<T, R> {
  private readonly queue: Array<Pending<T, R> | Exclusive> = [];
  private running: Promise<void> | undefined;

  constructor(private readonly options: GroupCommitOptions<T, R>) {}

  submit(item: T, weight = 1): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.queue.push({ item, weight, resolve, reject });
      this.pump();
    });
  }

  exclusive<V>(run: () => Promise<V>): Promise<V> {
    return new Promise<V>((resolve, reject) => {
      this.queue.push({ run, resolve: resolve as (result: unknown) => void, reject });
      this.pump();
    });
  }

  /** Resolves once everything submitted so far is settled. */
  settled(): Promise<void> {
    return this.running ?? Promise.resolve();
  }

  private pump(): void {
    if (this.running) return;
    const start = this.options.gatherTurn ? new Promise<void>((next) => setImmediate(next)) : Promise.resolve();
    this.running = start.then(() => this.loop());
  }

  private async loop(): Promise<void> {
    while (this.queue.length > 0) {
      const head = this.queue[0]!;
      if ('run' in head) {
        this.queue.shift();
        await head.run().then(head.resolve, head.reject);
        continue;
      }
      const group: Array<Pending<T, R>> = [];
      let weight = 0;
      while (this.queue.length > 0) {
        const next = this.queue[0]!;
        if ('run' in next || (group.length > 0 && weight + next.weight > this.options.maxGroupWeight)) break;
        group.push(next);
        weight += next.weight;
        this.queue.shift();
      }
      await this.options.processGroup(group.map((pending) => pending.item)).then(
        (results) => {
          group.forEach((pending, index) => {
            const result = results[index];
            if (result?.status === 'fulfilled') pending.resolve(result.value);
            else pending.reject(result ? result.reason : new Error('the item was not processed'));
          });
        },
        (error: unknown) => {
          for (const pending of group) pending.reject(error);
        },
      );
    }
    this.running = undefined;
  }
}

/**
 * Commits `items` together; if that fails and `retryAlone` says the error belongs to one item (a
 * name taken, a type conflict), commits each alone, so exactly the failing ones fail, with the
 * error they would have had alone. Any other error (a COMMIT of unknown outcome) fails them all
 * as it is: retrying could write twice or report a false conflict.
 */
export async function commitTogetherOrAlone<T, R>(
  items: readonly T[],
  together: (items: readonly T[]) => Promise<R[]>,
  retryAlone: (error: unknown) => boolean,
): Promise<Array<PromiseSettledResult<R>>> {
  if (items.length > 1) {
    try {
      return (await together(items)).map((value) => ({ status: 'fulfilled', value }));
    } catch (error) {
      if (!retryAlone(error)) return items.map(() => ({ status: 'rejected', reason: error }));
    }
  }
  const results: Array<PromiseSettledResult<R>> = [];
  for (const item of items) {
    try {
      const [value] = await together([item]);
      results.push({ status: 'fulfilled', value: value as R });
    } catch (error) {
      results.push({ status: 'rejected', reason: error });
    }
  }
  return results;
}
