import { test } from 'node:test';
import { INGEST_POINTS, pointTest } from '../helpers/crash-ingest.ts';

// SIGKILL at each named failpoint of the ingest path (src/support/failpoints.ts).
for (const point of INGEST_POINTS) {
  test(`every acknowledged point survives SIGKILL at failpoint ${point} under 4-connection ingest exactly once`, (t) =>
    // Mostly a later hit than the first, so the kill comes with acknowledged writes (and applies) behind it.
    pointTest(t, (next) => ({ point, hit: 1 + Math.floor(next() * (point.startsWith('apply') ? 3 : 8)) })));
}
