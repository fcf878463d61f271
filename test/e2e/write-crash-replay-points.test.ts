import { test } from 'node:test';
import { pointTest, REPLAY_POINTS } from '../helpers/crash-ingest.ts';

// SIGKILL at each named failpoint of the replay that follows a crash (src/support/failpoints.ts).
for (const replayPoint of REPLAY_POINTS) {
  test(`every acknowledged point survives SIGKILL at ${replayPoint} during the replay, exactly once`, (t) =>
    // Killed after a sync, the log holds a record the database does not: the next start replays it.
    pointTest(t, (next) => ({ point: 'wal.sync.after', hit: 1 + Math.floor(next() * 8), replayPoint })));
}
