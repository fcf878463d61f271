import type { DatabaseRecord } from '../catalog/catalog.ts';

/**
 * Every database this node knows, by id (deleted ones included, so grants can still show a name)
 * and by name (live ones only). Fed at start and by the catalog change feed.
 */
export class DatabaseDirectory {
  private readonly byId = new Map<number, DatabaseRecord>();
  private readonly byName = new Map<string, DatabaseRecord>();

  put(record: DatabaseRecord): void {
    const previous = this.byId.get(record.id);
    if (previous !== undefined && this.byName.get(previous.name)?.id === record.id) this.byName.delete(previous.name);
    this.byId.set(record.id, record);
    if (record.deletedAt === null) this.byName.set(record.name, record);
  }

  byNameOf(name: string): DatabaseRecord | undefined {
    return this.byName.get(name);
  }

  byIdOf(id: number): DatabaseRecord | undefined {
    return this.byId.get(id);
  }

  /** The display name of a database id, marked when the database was deleted. */
  nameOf(id: number): string {
    const record = this.byId.get(id);
    if (record === undefined) return `#${id}`;
    return record.deletedAt === null ? record.name : `${record.name}(deleted)`;
  }

  /** Deleted databases, purged ones included, by id. */
  deleted(): DatabaseRecord[] {
    return [...this.byId.values()].filter((record) => record.deletedAt !== null).sort((a, b) => a.id - b.id);
  }

  live(): DatabaseRecord[] {
    return [...this.byName.values()].sort((a, b) => a.name.localeCompare(b.name));
  }
}
