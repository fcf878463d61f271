import fs from 'node:fs';
import path from 'node:path';
import { FluxgateError } from '../../domain/errors.ts';
import { FAILPOINTS_ARMED, failpoint, failpointTornWrite } from '../../support/failpoints.ts';
import { readFrame, type WalRecord } from './wal-record.ts';

/** The file operations the log makes: the real file system, or one that fails on purpose in tests. */
export interface WalFileSystem {
  mkdir(dir: string): Promise<void>;
  readdir(dir: string): Promise<string[]>;
  readFile(file: string): Promise<Buffer>;
  /** Opens a file for appending writes at given positions, creating it if need be. */
  open(file: string): Promise<WalFile>;
  unlink(file: string): Promise<void>;
  /** Makes a directory's entries (files created or removed) durable. */
  syncDirectory(dir: string): Promise<void>;
}

export interface WalFile {
  write(bytes: Buffer, position: number): Promise<void>;
  datasync(): Promise<void>;
  truncate(length: number): Promise<void>;
  close(): Promise<void>;
}

export const nodeWalFileSystem: WalFileSystem = {
  async mkdir(dir) {
    await fs.promises.mkdir(dir, { recursive: true });
  },
  readdir: (dir) => fs.promises.readdir(dir),
  readFile: (file) => fs.promises.readFile(file),
  async open(file) {
    const handle = await fs.promises.open(file, 'a+');
    return {
      async write(bytes, position) {
        let done = 0;
        while (done < bytes.length) {
          const { bytesWritten } = await handle.write(bytes, done, bytes.length - done, position + done);
          done += bytesWritten;
        }
      },
      datasync: () => handle.datasync(),
      truncate: (length) => handle.truncate(length),
      close: () => handle.close(),
    };
  },
  unlink: (file) => fs.promises.rm(file, { force: true }),
  async syncDirectory(dir) {
    const handle = await fs.promises.open(dir, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  },
};

export interface WalLogger {
  warn(details: Record<string, unknown>, message: string): void;
  error(details: Record<string, unknown>, message: string): void;
}

const MAGIC = Buffer.from('FGWAL\u0000\u0001\n', 'latin1');
const SEGMENT_SUFFIX = '.seg';
/** Appends go to a new segment once the active one is this large, so applied segments can be deleted. */
const SEGMENT_BYTES = 32 * 1024 * 1024;

interface Segment {
  file: string;
  /** The last record's sequence number in it (its first minus one while empty). */
  lastSeq: bigint;
}

interface ActiveSegment extends Segment {
  handle: WalFile;
  size: number;
}

/**
 * A database's write-ahead log: a directory of segment files, each a magic header and then framed
 * records (see wal-record.ts) with consecutive sequence numbers. Records are appended to the
 * newest segment; older segments are deleted once every record in them is applied. Opening it
 * reads back the records not applied yet, drops a torn or damaged tail (and says so in the log)
 * and starts a fresh segment. Its caller serializes appends, syncs and releases.
 */
export class WriteAheadLog {
  private readonly sealed: Segment[] = [];
  private active!: ActiveSegment;
  /** A failed sync leaves the file's state unknown: no more appends until the log is opened again. */
  private broken: Error | undefined;

  private constructor(
    readonly dir: string,
    private readonly files: WalFileSystem,
    private nextSeq: bigint,
  ) {}

  /** Opens the log in `dir`, returning it with the records after `appliedSeq`, in order. */
  static async open(
    dir: string,
    appliedSeq: bigint,
    files: WalFileSystem,
    logger: WalLogger,
  ): Promise<{ log: WriteAheadLog; records: WalRecord[] }> {
    await files.mkdir(dir);
    const names = (await files.readdir(dir)).filter((name) => name.endsWith(SEGMENT_SUFFIX)).sort();
    const records: WalRecord[] = [];
    const segments: Segment[] = [];
    let lastSeq = appliedSeq;
    for (const name of names) {
      const file = path.join(dir, name);
      const bytes = await files.readFile(file);
      const segment: Segment = { file, lastSeq };
      segments.push(segment);
      if (bytes.length < MAGIC.length || !bytes.subarray(0, MAGIC.length).equals(MAGIC)) {
        // A segment created but not synced by a crash (or not ours): it holds nothing acknowledged.
        if (bytes.length > 0) logger.warn({ file }, 'write-ahead log segment without its header; ignored');
        continue;
      }
      let offset = MAGIC.length;
      for (;;) {
        const read = readFrame(bytes, offset);
        if (read.kind === 'end') break;
        if (read.kind === 'torn') {
          logger.warn(
            { file, offset, droppedBytes: bytes.length - offset, reason: read.reason },
            'write-ahead log ends in a torn or damaged record (never acknowledged); dropped',
          );
          await truncateFile(files, file, offset);
          break;
        }
        const { record } = read;
        failpoint('wal.replay.record');
        if (record.seq > lastSeq + 1n && lastSeq > appliedSeq) {
          logger.error(
            { file, expected: String(lastSeq + 1n), found: String(record.seq) },
            'write-ahead log records are missing',
          );
        }
        if (record.seq > appliedSeq) records.push(record);
        if (record.seq > lastSeq) lastSeq = record.seq;
        segment.lastSeq = lastSeq;
        offset = read.next;
      }
    }
    const log = new WriteAheadLog(dir, files, lastSeq + 1n);
    await log.startSegment();
    // An empty segment left with the active one's name is the active one now.
    log.sealed.push(...segments.filter((segment) => segment.file !== log.active.file));
    return { log, records };
  }

  /** The sequence number the next appended record must carry. */
  get seq(): bigint {
    return this.nextSeq;
  }

  /**
   * Appends one framed record carrying `this.seq`. On failure nothing of it stays in the log (the
   * segment is cut back), and the error says whether the disk is full.
   */
  async append(frame: Buffer): Promise<void> {
    if (this.broken) throw unavailable(this.broken);
    if (this.active.size >= SEGMENT_BYTES) await this.rotate();
    const active = this.active;
    try {
      if (FAILPOINTS_ARMED) await failpointTornWrite('wal.append.mid', active.handle, frame, active.size);
      await active.handle.write(frame, active.size);
    } catch (error) {
      await active.handle.truncate(active.size).catch((cut: Error) => {
        this.broken = cut;
      });
      throw appendFailure(error);
    }
    active.size += frame.length;
    active.lastSeq = this.nextSeq;
    this.nextSeq++;
  }

  /** Makes every appended record durable. A failure breaks the log until it is opened again. */
  async sync(): Promise<void> {
    if (this.broken) throw unavailable(this.broken);
    try {
      await this.active.handle.datasync();
    } catch (error) {
      this.broken = error as Error;
      throw appendFailure(error);
    }
  }

  /** Deletes the sealed segments whose records are all applied; seals the active one first if it is too. */
  async release(appliedSeq: bigint): Promise<void> {
    if (!this.broken && this.active.size > MAGIC.length && this.active.lastSeq <= appliedSeq) await this.rotate();
    const done = this.sealed.filter((segment) => segment.lastSeq <= appliedSeq);
    if (done.length === 0) return;
    for (const segment of done) await this.files.unlink(segment.file);
    this.sealed.splice(0, this.sealed.length, ...this.sealed.filter((segment) => segment.lastSeq > appliedSeq));
  }

  /** Bytes of records in the log (applied or not). */
  get bytes(): number {
    return this.active.size;
  }

  /** Closes the log, deleting its segments (and its directory) if every record is applied. */
  async close(appliedSeq: bigint): Promise<void> {
    await this.active.handle.close();
    if (this.broken) return;
    const segments = [...this.sealed, this.active];
    if (segments.some((segment) => segment.lastSeq > appliedSeq)) return;
    for (const segment of segments) await this.files.unlink(segment.file);
    await fs.promises.rmdir(this.dir).catch(() => {});
  }

  /** Seals the active segment and starts the next. */
  private async rotate(): Promise<void> {
    const previous = this.active;
    await this.startSegment();
    this.sealed.push({ file: previous.file, lastSeq: previous.lastSeq });
    await previous.handle.close().catch(() => {});
  }

  private async startSegment(): Promise<void> {
    const file = path.join(this.dir, `${this.nextSeq.toString().padStart(20, '0')}${SEGMENT_SUFFIX}`);
    // A segment left by an earlier open with this first number holds no record (it would have raised `nextSeq`).
    await this.files.unlink(file);
    const handle = await this.files.open(file);
    try {
      await handle.write(MAGIC, 0);
      await handle.datasync();
      await this.files.syncDirectory(this.dir);
    } catch (error) {
      await handle.close().catch(() => {});
      throw appendFailure(error);
    }
    this.active = { file, handle, size: MAGIC.length, lastSeq: this.nextSeq - 1n };
  }
}

async function truncateFile(files: WalFileSystem, file: string, length: number): Promise<void> {
  const handle = await files.open(file);
  try {
    await handle.truncate(length);
    await handle.datasync();
  } finally {
    await handle.close();
  }
}

/** The disk is full (or over quota): 507. Anything else: 503. Neither stored the write. */
export function appendFailure(error: unknown): FluxgateError {
  if (error instanceof FluxgateError) return error;
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'ENOSPC' || code === 'EDQUOT') {
    return new FluxgateError(
      'STORAGE_FULL',
      "the disk holding the database's write-ahead log is full; the write was not stored",
      { cause: code },
    );
  }
  return unavailable(error);
}

function unavailable(error: unknown): FluxgateError {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return new FluxgateError(
    'STORAGE_UNAVAILABLE',
    `the database's write-ahead log could not be written${code ? ` (${code})` : ''}; the write was not stored`,
    code ? { cause: code } : {},
  );
}
