import { randomUUID } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/**
 * A node's id on a shared catalog, kept in its data dir: the databases it owns stay its own across
 * restarts, because their files are in that dir.
 */
export function stableNodeId(dataDir: string): string {
  const file = path.join(dataDir, 'node-id');
  try {
    const id = readFileSync(file, 'utf8').trim();
    if (id !== '') return id;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  const id = `node-${randomUUID()}`;
  writeFileSync(file, `${id}\n`, { flag: 'wx' });
  return id;
}
