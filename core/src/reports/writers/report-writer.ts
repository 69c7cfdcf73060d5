import type { ReportColumn } from '@plinth/sdk';
import type { Writable } from 'node:stream';

/** A column as the writers see it: its heading already in the file's language. */
export type WriterColumn = Required<Pick<ReportColumn, 'key' | 'label' | 'type'>> & Pick<ReportColumn, 'currencyKey'>;

/** What a writer writes: the rows, as they stream, and how to present them. */
export interface WriterInput {
  /** The report's title in the file's language. */
  title: string;
  columns: readonly WriterColumn[];
  rows: AsyncIterable<Record<string, unknown>>;
  /** The file's language (BCP 47): headings, number and date formats of the PDF. */
  locale: string;
  /** The tenant's: dates and times are written in it. */
  timeZone: string;
  /** The tenant's, for `money` columns without a `currencyKey`. */
  currency: string;
  tenantName: string;
  /** The tenant's logo (PNG or JPEG bytes), for the PDF's heading. */
  logo?: Buffer | undefined;
  generatedAt: Date;
}

/** Writes a report into `out`, waiting whenever `out` is full (see {@link relieve}), and ends it; resolves once everything is written. */
export type ReportWriter = (input: WriterInput, out: Writable) => Promise<void>;

/** Thrown when the stream a writer writes into is gone (the store refused the file): the writer stops. */
export class OutputClosed extends Error {
  override name = 'OutputClosed';
}

/**
 * Backpressure: resolves at once while `out` has room, else once it drains. Throws {@link OutputClosed} when it
 * is destroyed (or closes) meanwhile, so a writer never waits for a reader that has gone.
 */
export async function relieve(out: Writable): Promise<void> {
  if (out.destroyed) throw new OutputClosed('the report file was refused');
  if (!out.writableNeedDrain) return;
  await new Promise<void>((resolve) => {
    const done = () => {
      out.off('drain', done);
      out.off('close', done);
      resolve();
    };
    out.on('drain', done);
    out.on('close', done);
  });
  if (out.destroyed) throw new OutputClosed('the report file was refused');
}
