import {
  Binary, Bool, DateDay, Field, Float64, Int64, makeData, RecordBatch, Schema, Struct, TimestampMillisecond, Utf8, type Data, type DataType,
} from 'apache-arrow';
import type { ViewColumn } from './view.ts';

/** The Arrow type of a column: masked values are text; N/Y stay text so decimals stay exact. */
export function arrowType(c: ViewColumn): DataType {
  if (c.masked) return new Utf8();
  switch (c.item.type) {
    case 'I':
      return new Int64();
    case 'B':
    case 'F':
      return new Float64();
    case 'D':
      return new DateDay();
    case 'T':
      return new TimestampMillisecond('UTC');
    case 'L':
      return new Bool();
    case 'G':
      return new Binary();
    default:
      return new Utf8();
  }
}

export function arrowSchema(columns: ViewColumn[]): Schema {
  return new Schema(columns.map((c) => new Field(c.name, arrowType(c), true)));
}

const encoder = new TextEncoder();

/** Validity bitmap and null count of one column of a batch. */
function validity(rows: unknown[][], col: number): { bitmap: Uint8Array; nulls: number } {
  const bitmap = new Uint8Array((rows.length + 7) >> 3);
  let nulls = 0;
  for (let i = 0; i < rows.length; i++) {
    if (rows[i][col] === null || rows[i][col] === undefined) nulls++;
    else bitmap[i >> 3] |= 1 << (i & 7);
  }
  return { bitmap, nulls };
}

/** Variable-width column (text or bytes) straight into one buffer and its offsets. */
function variable(rows: unknown[][], col: number, type: Utf8 | Binary, nullBitmap: Uint8Array, nullCount: number): Data {
  const offsets = new Int32Array(rows.length + 1);
  let buf = new Uint8Array(Math.max(1024, rows.length * 16));
  let pos = 0;
  for (let i = 0; i < rows.length; i++) {
    const v = rows[i][col];
    if (v !== null && v !== undefined) {
      const bytes = type instanceof Binary ? Buffer.from(v as string, 'base64') : null;
      const need = bytes ? bytes.length : (v as string).length * 3;
      if (pos + need > buf.length) {
        const grown = new Uint8Array(Math.max(buf.length * 2, pos + need));
        grown.set(buf.subarray(0, pos));
        buf = grown;
      }
      if (bytes) {
        buf.set(bytes, pos);
        pos += bytes.length;
      } else {
        pos += encoder.encodeInto(v as string, buf.subarray(pos)).written;
      }
    }
    offsets[i + 1] = pos;
  }
  return makeData({ type, length: rows.length, nullCount, nullBitmap, valueOffsets: offsets, data: buf.subarray(0, pos) } as never);
}

const DAY_MS = 86_400_000;

/**
 * One record batch from rows fetched in array mode, building each column's buffers directly
 * (the generic builders of apache-arrow cost several times more per value).
 */
export function arrowBatch(schema: Schema, rows: unknown[][]): RecordBatch {
  const n = rows.length;
  const children = schema.fields.map((f, col) => {
    const { bitmap, nulls } = validity(rows, col);
    const type = f.type;
    if (type instanceof Utf8 || type instanceof Binary) return variable(rows, col, type, bitmap, nulls);
    if (type instanceof Bool) {
      const data = new Uint8Array((n + 7) >> 3);
      for (let i = 0; i < n; i++) if (rows[i][col] === true) data[i >> 3] |= 1 << (i & 7);
      return makeData({ type, length: n, nullCount: nulls, nullBitmap: bitmap, data });
    }
    if (type instanceof Float64) {
      const data = new Float64Array(n);
      for (let i = 0; i < n; i++) data[i] = rows[i][col] === null ? 0 : Number(rows[i][col]);
      return makeData({ type, length: n, nullCount: nulls, nullBitmap: bitmap, data });
    }
    if (type instanceof DateDay) {
      const data = new Int32Array(n);
      for (let i = 0; i < n; i++) if (rows[i][col] !== null) data[i] = Date.parse(`${rows[i][col] as string}T00:00:00Z`) / DAY_MS;
      return makeData({ type, length: n, nullCount: nulls, nullBitmap: bitmap, data });
    }
    const data = new BigInt64Array(n);
    if (type instanceof TimestampMillisecond) {
      for (let i = 0; i < n; i++) if (rows[i][col] !== null) data[i] = BigInt((rows[i][col] as Date).getTime());
    } else {
      for (let i = 0; i < n; i++) if (rows[i][col] !== null) data[i] = BigInt(rows[i][col] as number);
    }
    return makeData({ type: type as Int64, length: n, nullCount: nulls, nullBitmap: bitmap, data });
  });
  return new RecordBatch(schema, makeData({ type: new Struct(schema.fields), length: n, nullCount: 0, children }));
}
