// Rewrites the permission matrix in docs/permissions.md from src/domain/authorization.ts.
// Run: node --import tsx scripts/permissions-doc.ts   (test/domain/permission-matrix.test.ts checks it)
import { readFileSync, writeFileSync } from 'node:fs';
import { withCurrentMatrix } from '../src/domain/permission-matrix-doc.ts';

const path = new URL('../docs/permissions.md', import.meta.url);
writeFileSync(path, withCurrentMatrix(readFileSync(path, 'utf8')));
console.log('docs/permissions.md: permission matrix rewritten');
