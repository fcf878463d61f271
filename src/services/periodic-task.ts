/**
 * A background job on a timer (which never keeps the process alive), one run at a time: a run
 * asked for while one is under way starts after it, and `stop()` waits for the last one. The job
 * reports its own errors (each caller's `onError`), so a run never rejects.
 */
export class PeriodicTask<T> {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<unknown> = Promise.resolve();

  constructor(private readonly job: () => Promise<T>) {}

  /** Runs every `intervalMs`; with `immediately`, once at start too. */
  start(intervalMs: number, { immediately }: { immediately: boolean }): void {
    this.timer = setInterval(() => void this.run(), intervalMs);
    this.timer.unref();
    if (immediately) void this.run();
  }

  /** One run, after the one under way if any. */
  run(): Promise<T> {
    const run = this.running.then(() => this.job());
    this.running = run;
    return run;
  }

  async stop(): Promise<void> {
    if (this.timer !== undefined) clearInterval(this.timer);
    await this.running;
  }
}
