#!/usr/bin/env -S node --max-semi-space-size=64
// A larger young generation halves the garbage collection of line-protocol ingest (measured in bench/line-protocol.bench.ts).
// The `fluxgate` command: loads the TypeScript sources through tsx, so no build step is needed.
import { register } from 'tsx/esm/api';

register();
await import('../src/cli/main.ts');
