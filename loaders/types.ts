/**
 * Types of the ingestion engine. `LoaderItem` mirrors the catalogue's 信息项 (item) shape; it is declared
 * here so the engine stays independent of the generated catalogue types (swap it for the generated type).
 */
import type { Readable } from 'node:stream';

/** 数据类型 of an item: 字符型C, 数值型N, 货币型Y, 日期型D, 日期时间型T, 逻辑型L, 备注型M, 通用型G, 双精度型B, 整型I, 浮点型F. */
export type ItemType = 'C' | 'N' | 'Y' | 'D' | 'T' | 'L' | 'M' | 'G' | 'B' | 'I' | 'F';

export type IdentifierCheck = 'uscc' | 'id-card' | 'region-code' | 'mobile';

export interface LoaderItem {
  /** Field (column) name, ^[a-z][a-z0-9_]{0,62}$. */
  name: string;
  /** 信息项名称, the Chinese label; file headers may use it. */
  label?: string;
  type: ItemType;
  /** C/M: maximum characters; N/Y/F: precision (total digits); I: digits. */
  length?: number;
  /** N/Y: digits after the decimal point. */
  scale?: number;
  required?: boolean;
  key?: boolean;
  check?: IdentifierCheck;
  /** ECMAScript regular expression the text must match (JSON Schema semantics: unanchored). */
  pattern?: string;
  enum?: string[];
  minimum?: number;
  maximum?: number;
  sensitivity?: unknown;
  mask?: unknown;
  description?: string;
}

export type LoadFormat = 'csv' | 'tsv' | 'ndjson' | 'json' | 'arrow' | 'xlsx';
export type LoadEncoding = 'auto' | 'utf8' | 'gb18030';
export type LoadMode = 'replace' | 'append' | 'upsert';

export interface LoadProgress {
  /** Records read from the file so far (loaded or rejected). */
  rows: number;
  /** Bytes read from the source so far. */
  bytes: number;
  /** Size of the source when known (a file path). */
  totalBytes?: number;
}

export interface LoadOptions {
  items: LoaderItem[];
  /** A file path or a byte stream. */
  source: string | NodeJS.ReadableStream | Readable;
  /** Sniffed from the file name and content when absent. */
  format?: LoadFormat;
  /** Text encoding of CSV/TSV/JSON input; `auto` (default) detects BOMs, UTF-8 and GB18030/GBK. */
  encoding?: LoadEncoding;
  /** xlsx: the worksheet to load (default: the first). */
  sheet?: string;
  /** File header -> item name. An empty string skips that column. */
  mapping?: Record<string, string>;
  /** Name of the table to create and fill, already qualified and quoted where needed (e.g. `data.r42_v7`). */
  targetTable: string;
  mode: LoadMode;
  /** The current version (for append/upsert). */
  baseTable?: string;
  /** Key columns (item names); defaults to the items marked `key`. */
  key?: string[];
  /** Rows that may be rejected before the load fails. */
  maxErrors: number;
  /** Name for messages (e.g. the original file name when `source` is a stream). */
  fileName?: string;
  onProgress?: (p: LoadProgress) => void;
  /** Called for every reject as it is found (all of them, even beyond `keepRejects`). */
  onReject?: (r: Reject) => void;
  /** How many rejects to keep in the result (default 10000); `rejected` always counts them all. */
  keepRejects?: number;
  /**
   * How CSV/TSV records reach PostgreSQL. `text` (default for UTF-8 input): COPY text format — accepted
   * records without quotes or backslashes pass through byte for byte. `csv`: COPY CSV (always used for
   * GB18030 input). `binary` (UTF-8 input): the loader encodes COPY BINARY tuples, which takes about a third
   * of the COPY work off the database server and puts more on the loading process — worth it when the
   * database runs on another machine; on one shared 2-core host the two balance out.
   */
  copyFormat?: 'text' | 'csv' | 'binary';
  signal?: AbortSignal;
}

export type RejectRule =
  | 'required'
  | 'type'
  | 'length'
  | 'precision'
  | 'scale'
  | 'enum'
  | 'pattern'
  | 'minimum'
  | 'maximum'
  | 'uscc'
  | 'id-card'
  | 'region-code'
  | 'mobile'
  | 'duplicate-key'
  | 'format';

export interface Reject {
  /** 1-based number of the data record (the header is not a record; blank lines are not counted). */
  record: number;
  /** 1-based physical line where the record starts (CSV/TSV/NDJSON/JSON), or the sheet row (xlsx); null for Arrow. */
  line: number | null;
  /** Item name, or null for a whole-record problem (wrong number of fields). */
  column: string | null;
  /** The column's header as written in the file. */
  header: string | null;
  /** The offending value as read from the file. */
  value: string | null;
  rule: RejectRule;
  message: string;
}

export interface ColumnProfile {
  nulls: number;
  /** Values of this column that failed a rule (in rejected rows). */
  invalid: number;
  /** Smallest and largest value as text (text columns: binary/code-point order; null for binary columns). */
  min: string | null;
  max: string | null;
  /** Estimated number of distinct values (from ANALYZE). */
  distinctEstimate: number | null;
}

export interface QualityProfile {
  rows: number;
  columns: Record<string, ColumnProfile>;
}

export interface ColumnMapping {
  /** Header as written in the file (null for items absent from the file). */
  header: string | null;
  item: string;
}

export interface LoadResult {
  /** Rows of the file written to the target. */
  rows: number;
  /** Rows of the file rejected. */
  rejected: number;
  /** The rejects (one per failing value; capped at `keepRejects`). */
  rejects: Reject[];
  rejectsTruncated: boolean;
  /** Rows in the target table (file rows plus rows carried over from the base table). */
  totalRows: number;
  /** Rows carried over from the base table (append/upsert). */
  baseRows: number;
  /** Base rows replaced by file rows with the same key (upsert). */
  replacedRows: number;
  profile: QualityProfile;
  format: LoadFormat;
  encoding: string;
  delimiter?: string;
  columns: ColumnMapping[];
  /** Headers skipped through the mapping or because they are empty. */
  ignoredColumns: string[];
  key: string[];
  bytes: number;
  durationMs: number;
  /** Where the time went (ms): reading, checking and COPY (overlapped); key; merge with the base; profile. */
  phases: { copyMs: number; keyMs: number; mergeMs: number; profileMs: number };
}

export type LoadErrorCode =
  | 'empty'
  | 'max-errors'
  | 'missing-columns'
  | 'unknown-columns'
  | 'duplicate-columns'
  | 'encoding'
  | 'parse'
  | 'options'
  | 'aborted'
  | 'database';

/** A load failed; the caller rolls its transaction back and nothing changes. */
export class LoadError extends Error {
  readonly code: LoadErrorCode;
  readonly line?: number;
  readonly column?: string;
  /** Column names for missing/unknown columns. */
  readonly columns?: string[];
  readonly unknownColumns?: string[];
  readonly missingColumns?: string[];
  /** Rejects found before the load failed (for max-errors: the first ones). */
  readonly rejects?: Reject[];
  readonly rejected?: number;

  constructor(
    code: LoadErrorCode,
    message: string,
    extra: {
      line?: number;
      column?: string;
      columns?: string[];
      unknownColumns?: string[];
      missingColumns?: string[];
      rejects?: Reject[];
      rejected?: number;
      cause?: unknown;
    } = {},
  ) {
    super(message, extra.cause === undefined ? undefined : { cause: extra.cause });
    this.name = 'LoadError';
    this.code = code;
    if (extra.line !== undefined) this.line = extra.line;
    if (extra.column !== undefined) this.column = extra.column;
    if (extra.columns !== undefined) this.columns = extra.columns;
    if (extra.unknownColumns !== undefined) this.unknownColumns = extra.unknownColumns;
    if (extra.missingColumns !== undefined) this.missingColumns = extra.missingColumns;
    if (extra.rejects !== undefined) this.rejects = extra.rejects;
    if (extra.rejected !== undefined) this.rejected = extra.rejected;
  }
}
