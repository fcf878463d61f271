import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { encodeRecord, FRAME_HEADER_BYTES, readFrame } from '../../../src/storage/duckdb/wal-record.ts';
import { nodeWalFileSystem, type WalLogger, WriteAheadLog } from '../../../src/storage/duckdb/write-ahead-log.ts';
import { LineBatch } from '../../../src/storage/lineprotocol/line-batch.ts';
import { parseLineProtocolBuffer } from '../../../src/storage/lineprotocol/parse-buffer.ts';
import { tempDir } from './helpers.ts';

const BODY = [
  'cpu,host=a,region=eu usage=0.5,count=3i,ok=true,note="say \\"hi\\"" 1700000000000000001',
  'cpu,host=b usage=29.666666666666668,big=18446744073709551615u 1700000000000000002',
  'mem,host=a free=-9223372036854775808i',
  'cpu,host=a usage=1e-7 1700000000000000003',
  'cpu,host=ü,region=日本 note="" 1700000000000000004',
].join('\n');

function batch() {
  const parsed = parseLineProtocolBuffer(Buffer.from(BODY), 'ns');
  assert.deepEqual(parsed.errors, []);
  // As a write fills them in before logging: the default time of the line without one.
  for (const table of parsed.tables) for (const row of table.missingTimes) table.times[row] = 42n;
  return parsed;
}

function frameOf(seq: bigint) {
  return encodeRecord(seq, [batch().tables.map((table) => ({ table, rows: null }))]);
}

/** A logger that keeps what it is told. */
function recordingLogger(): WalLogger & { lines: Array<{ level: string; message: string; details: object }> } {
  const lines: Array<{ level: string; message: string; details: object }> = [];
  return {
    lines,
    warn: (details, message) => lines.push({ level: 'warn', message, details }),
    error: (details, message) => lines.push({ level: 'error', message, details }),
  };
}

describe('write-ahead log record', () => {
  it('reads back every point exactly: tags, all field kinds, times, line numbers and missing values', () => {
    const frame = frameOf(7n);
    const read = readFrame(frame, 0);
    assert.equal(read.kind, 'record');
    if (read.kind !== 'record') return;
    assert.equal(read.record.seq, 7n);
    assert.equal(read.next, frame.length);
    assert.equal(read.record.entries.length, 1);
    const expected = batch()
      .toParsedLines()
      .map((line) =>
        line.point.timestampNs === null ? { ...line, point: { ...line.point, timestampNs: 42n } } : line,
      );
    assert.deepEqual(read.record.entries[0]!.toParsedLines(), expected);
  });

  it('keeps only the selected rows of a table', () => {
    const cpu = batch().tables[0]!;
    const frame = encodeRecord(1n, [[{ table: cpu, rows: Int32Array.from([0, 2]) }]]);
    const read = readFrame(frame, 0);
    assert.equal(read.kind, 'record');
    if (read.kind !== 'record') return;
    const lines = read.record.entries[0]!.toParsedLines();
    assert.deepEqual(
      lines.map((line) => line.lineNumber),
      [1, 4],
    );
    assert.deepEqual(lines[1]!.point.fields, [['usage', { type: 'float', value: 1e-7 }]]);
  });

  it('keeps exactly the selected rows for every selection, all kinds and missing values alike', () => {
    const cpu = batch().tables[0]!;
    const whole = new LineBatch(1);
    whole.tables.push(cpu);
    const all = whole.toParsedLines();
    for (let mask = 1; mask < 1 << cpu.rowCount; mask++) {
      const rows = all.map((_, row) => row).filter((row) => (mask & (1 << row)) !== 0);
      const read = readFrame(encodeRecord(1n, [[{ table: cpu, rows: Int32Array.from(rows) }]]), 0);
      assert.equal(read.kind, 'record');
      if (read.kind !== 'record') return;
      assert.deepEqual(
        read.record.entries[0]!.toParsedLines(),
        rows.map((row) => all[row]),
        `rows ${rows.join(',')}`,
      );
    }
  });

  it('tells a torn record from a whole one at every cut, and a flipped byte anywhere', () => {
    const frame = frameOf(3n);
    for (let cut = 1; cut < frame.length; cut++) {
      assert.equal(readFrame(frame.subarray(0, cut), 0).kind, 'torn', `cut at ${cut}`);
    }
    for (let at = 0; at < frame.length; at += 7) {
      const damaged = Buffer.from(frame);
      damaged[at] = damaged[at]! ^ 0x5a;
      assert.equal(readFrame(damaged, 0).kind, 'torn', `byte ${at} flipped`);
    }
    assert.equal(readFrame(Buffer.alloc(0), 0).kind, 'end');
    assert.equal(readFrame(Buffer.alloc(FRAME_HEADER_BYTES), 0).kind, 'torn', 'a zero length is no record');
  });
});

describe('write-ahead log file', () => {
  it('replays the records after the applied position, drops a torn tail with a log line, and continues the numbering', async () => {
    const dir = path.join(tempDir(), 'wal');
    try {
      const logger = recordingLogger();
      const first = await WriteAheadLog.open(dir, 0n, nodeWalFileSystem, logger);
      assert.deepEqual(first.records, []);
      for (let i = 0; i < 3; i++) {
        await first.log.append(frameOf(first.log.seq));
        await first.log.sync();
      }
      await first.log.append(frameOf(first.log.seq));
      // A crash in the middle of the fourth record's write: only part of it reached the file.
      const [segment] = fs.readdirSync(dir);
      const file = path.join(dir, segment!);
      fs.truncateSync(file, fs.statSync(file).size - 10);
      const tornSize = fs.statSync(file).size;

      const second = await WriteAheadLog.open(dir, 1n, nodeWalFileSystem, logger);
      assert.deepEqual(
        second.records.map((record) => record.seq),
        [2n, 3n],
        'record 1 was applied; 4 was torn',
      );
      assert.equal(second.log.seq, 4n, 'the torn record was never acknowledged, so its number is used again');
      const torn = logger.lines.filter((line) => line.message.includes('torn'));
      assert.equal(torn.length, 1);
      assert.equal(torn[0]!.level, 'warn');
      assert.ok(fs.statSync(file).size < tornSize, 'the torn tail is cut off the segment');

      await second.log.append(frameOf(second.log.seq));
      await second.log.sync();
      await second.log.release(3n);
      assert.equal(fs.existsSync(file), false, 'a segment whose records are all applied is deleted');
      await second.log.close(3n);

      const third = await WriteAheadLog.open(dir, 3n, nodeWalFileSystem, recordingLogger());
      assert.deepEqual(
        third.records.map((record) => record.seq),
        [4n],
      );
      await third.log.close(4n);
      assert.equal(fs.existsSync(dir), false, 'a log closed with everything applied leaves nothing behind');
    } finally {
      fs.rmSync(path.dirname(dir), { recursive: true, force: true });
    }
  });

  it('reports a full disk as STORAGE_FULL and keeps nothing of the failed record', async () => {
    const dir = path.join(tempDir(), 'wal');
    try {
      let full = false;
      const files = {
        ...nodeWalFileSystem,
        async open(file: string) {
          const handle = await nodeWalFileSystem.open(file);
          return {
            ...handle,
            async write(bytes: Buffer, position: number) {
              if (!full) return handle.write(bytes, position);
              // Half of it lands, then the disk is full.
              await handle.write(bytes.subarray(0, bytes.length >> 1), position);
              throw Object.assign(new Error('no space left on device'), { code: 'ENOSPC' });
            },
          };
        },
      };
      const { log } = await WriteAheadLog.open(dir, 0n, files, recordingLogger());
      await log.append(frameOf(1n));
      await log.sync();
      full = true;
      await assert.rejects(log.append(frameOf(2n)), (error: Error & { code?: string; status?: number }) => {
        assert.equal(error.code, 'STORAGE_FULL');
        assert.equal(error.status, 507);
        return true;
      });
      full = false;
      await log.append(frameOf(2n));
      await log.sync();
      await log.close(0n);
      const reopened = await WriteAheadLog.open(dir, 0n, nodeWalFileSystem, recordingLogger());
      assert.deepEqual(
        reopened.records.map((record) => record.seq),
        [1n, 2n],
      );
      await reopened.log.close(0n);
    } finally {
      fs.rmSync(path.dirname(dir), { recursive: true, force: true });
    }
  });
});
