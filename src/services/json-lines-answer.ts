import { firstLines, lineCount } from '../storage/json-lines.ts';
import type { JsonLinesStream } from '../storage/storage.ts';
import { CappedAnswer } from './query-answer.ts';

/**
 * A QueryAnswer whose rows the engine already encoded as JSON lines (Storage.openJsonLines): the
 * same deadline, cap and close, the rows counted as lines, for a face answering json or jsonl.
 */
export class JsonLinesAnswer extends CappedAnswer<Buffer, JsonLinesStream> {
  protected admit(lines: Buffer): Buffer | null {
    const count = lineCount(lines);
    const admitted = this.budget.admitRows(count);
    if (admitted === count) return lines;
    return admitted > 0 ? firstLines(lines, admitted) : null;
  }
}
