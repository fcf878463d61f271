import type { UserRecord } from '../catalog/catalog.ts';

/**
 * The current users of this node by subject, fed at start and by the catalog change feed, so a
 * removal or a disable is seen by the very next request (on other nodes, as soon as the feed is).
 */
export class UserDirectory {
  private readonly bySubject = new Map<string, UserRecord>();
  private readonly subjectById = new Map<number, string>();

  put(record: UserRecord): void {
    const previous = this.subjectById.get(record.id);
    if (previous !== undefined) this.bySubject.delete(previous);
    if (record.removedAt !== null) {
      this.subjectById.delete(record.id);
      return;
    }
    this.subjectById.set(record.id, record.subject);
    this.bySubject.set(record.subject, record);
  }

  get(subject: string): UserRecord | undefined {
    return this.bySubject.get(subject);
  }
}
