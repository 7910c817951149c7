/**
 * What every file format's reader (CSV/TSV, JSON/NDJSON, Arrow, XLSX) gives the load: its own
 * module, so the readers and the load that picks one need not import each other.
 */
import type { ColumnResolver } from './plan.ts';
import type { Sink, SinkOptions } from './sink.ts';

/** A file format: reads the header, then streams records into a sink. */
export interface FormatReader {
  encoding: string;
  delimiter?: string;
  /** Encoding of the COPY data (default UTF8). */
  copyEncoding?: 'UTF8' | 'GB18030';
  /** The reader can send COPY BINARY tuples. */
  readonly canBinary?: boolean;
  /** The reader writes COPY BINARY tuples itself (Arrow): the load uses that format unless told otherwise. */
  readonly binaryPreferred?: boolean;
  /** Its records quote fields: COPY CSV takes them as they are, COPY text only rewritten. */
  readonly quotedRecords?: boolean;
  /** Records name their fields (JSON): COPY every item, columns may first appear after the first records. */
  readonly allItems: boolean;
  open(): Promise<string[]>;
  makeSink(o: SinkOptions, resolver: ColumnResolver): Sink;
  /** Streams every record into the sink; `tick` flushes COPY data, reports progress and checks for abort. */
  run(tick: () => Promise<void>): Promise<void>;
  /** Frees what the reader holds (a spooled file) however the load ended. */
  close?(): void;
}
