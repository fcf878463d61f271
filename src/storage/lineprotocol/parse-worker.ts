// The body of a parse-pool worker thread: parses request bodies it is sent and posts the batches back.
import { parentPort, workerData } from 'node:worker_threads';
import { lowerThisThread } from '../../support/thread-priority.ts';
import { packBatch } from './batch-transfer.ts';
import { parseLineProtocolBuffer } from './parse-buffer.ts';
import type { Precision } from './types.ts';

lowerThisThread((workerData as { nice?: number } | null)?.nice ?? 0);

interface Job {
  id: number;
  body: Uint8Array;
  precision: Precision;
}

parentPort?.on('message', ({ id, body, precision }: Job) => {
  try {
    const batch = parseLineProtocolBuffer(Buffer.from(body.buffer, body.byteOffset, body.byteLength), precision);
    const { packed, transfer } = packBatch(batch);
    parentPort?.postMessage({ id, packed }, transfer);
  } catch (error) {
    parentPort?.postMessage({ id, error: error instanceof Error ? (error.stack ?? error.message) : String(error) });
  }
});
parentPort?.postMessage({ ready: true });
