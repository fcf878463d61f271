/**
 * The `onChange` subscribers of one catalog instance. Bursts of changes are coalesced into one
 * call per listener; listeners then read `changesSince` to learn what changed.
 */
export class ChangeListeners {
  readonly #listeners = new Set<() => void>();
  #scheduled = false;

  add(listener: () => void): () => void {
    // A wrapper per subscription, so subscribing the same function twice is two subscriptions.
    const entry = () => listener();
    this.#listeners.add(entry);
    return () => {
      this.#listeners.delete(entry);
    };
  }

  emit(): void {
    if (this.#scheduled || this.#listeners.size === 0) return;
    this.#scheduled = true;
    queueMicrotask(() => {
      this.#scheduled = false;
      for (const listener of [...this.#listeners]) {
        try {
          listener();
        } catch (error) {
          console.error('a catalog change listener threw', error);
        }
      }
    });
  }

  clear(): void {
    this.#listeners.clear();
  }
}
