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

/**
 * Serializes the work on one database. Items waiting together are handed to `processGroup` in
 * one call (one transaction, one WAL sync for all of them) up to `maxGroupWeight`; exclusive
 * tasks run alone, in queue order. While one group commits, the next one gathers.
 */
export class GroupCommitQueue<T, R> {
  private readonly queue: Array<Pending<T, R> | Exclusive> = [];
  private running = false;

  constructor(
    /** Settles each item on its own, so one failing write does not fail the others. */
    private readonly processGroup: (items: T[]) => Promise<Array<PromiseSettledResult<R>>>,
    private readonly maxGroupWeight: number,
  ) {}

  submit(item: T, weight: number): Promise<R> {
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

  private pump(): void {
    if (this.running) return;
    this.running = true;
    void this.loop();
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
        if ('run' in next || (group.length > 0 && weight + next.weight > this.maxGroupWeight)) break;
        group.push(next);
        weight += next.weight;
        this.queue.shift();
      }
      await this.processGroup(group.map((pending) => pending.item)).then(
        (results) => {
          group.forEach((pending, index) => {
            const result = results[index];
            if (result?.status === 'fulfilled') pending.resolve(result.value);
            else pending.reject(result ? result.reason : new Error('the write was not processed'));
          });
        },
        (error: unknown) => {
          for (const pending of group) pending.reject(error);
        },
      );
    }
    this.running = false;
  }
}
