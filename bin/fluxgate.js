#!/usr/bin/env -S node --max-semi-space-size=64 --initial-old-space-size=128 --single-threaded-gc
// A larger young generation halves the garbage collection of line-protocol ingest (measured in bench/line-protocol.bench.ts).
// An old generation allowed 128 MB before its first collections: with a heap as small as a gateway's (under
// 40 MB live) and that young generation, V8 otherwise sets its limit so close that it starts a full marking
// every ~150 ms under write load (measured: 1.2 s of a gateway's 2.0 s busy time went to collection).
// Collection on the thread that collects, without V8's helper threads: a young-generation collection on
// the request thread waited for helpers that did not get a CPU (up to 65 ms of /health in bench/soak.bench.ts
// beside two busy loops, with the helpers then at --background-nice), and on 2 cores they cost ingest more
// CPU per point than they save (docs/operations.md has the figures).
// The first line is the one place these flags are set: `npm start` runs this file, and the tests read them from it.
// The `fluxgate` command: loads the TypeScript sources through tsx, so no build step is needed.
import { register } from 'tsx/esm/api';

register();
await import('../src/cli/main.ts');
