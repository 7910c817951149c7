/**
 * Arrow IPC, file or stream format (as written by pyarrow, arrow-rs, apache-arrow JS ...), read batch by
 * batch. Values are converted to text exactly: decimals from their unscaled integers, timestamps from
 * their raw ticks (a timestamp with a time zone is an instant; without one it is wall-clock time,
 * which the loader reads as Asia/Shanghai).
 */
import { promises as fsp } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import { RecordBatchReader, Type, type DataType, type Field, type RecordBatch, type Vector } from 'apache-arrow';
import { ArrowBinarySink } from './arrow-binary.ts';
import type { FormatReader } from './format-reader.ts';
import { NaiveDateTime } from './coerce.ts';
import { Sink, type SinkOptions } from './sink.ts';
import type { ByteSource } from './source.ts';
import { LoadError } from './types.ts';

type Conv = (v: Vector, i: number) => unknown;

function pad(n: number | bigint, w: number): string {
  return String(n).padStart(w, '0');
}

/** ticks since the epoch in `perSecond` units -> 'YYYY-MM-DDTHH:MM:SS[.f]' (UTC fields). */
function ticksToIso(ticks: bigint, perSecond: bigint): string {
  let secs = ticks / perSecond;
  let frac = ticks % perSecond;
  if (frac < 0n) {
    frac += perSecond;
    secs -= 1n;
  }
  const d = new Date(Number(secs) * 1000);
  const digits = perSecond === 1n ? 0 : String(perSecond).length - 1;
  const f = digits ? '.' + pad(frac, digits) : '';
  return (
    pad(d.getUTCFullYear(), 4) +
    '-' +
    pad(d.getUTCMonth() + 1, 2) +
    '-' +
    pad(d.getUTCDate(), 2) +
    'T' +
    pad(d.getUTCHours(), 2) +
    ':' +
    pad(d.getUTCMinutes(), 2) +
    ':' +
    pad(d.getUTCSeconds(), 2) +
    f
  );
}

const PER_SECOND: Record<number, bigint> = { 0: 1n, 1: 1000n, 2: 1000000n, 3: 1000000000n };

function converter(type: DataType): Conv {
  switch (type.typeId) {
    case Type.Decimal: {
      const scale = (type as unknown as { scale: number }).scale;
      return (v, i) => {
        const x = v.get(i);
        if (x === null || x === undefined) return null;
        let s = String(x);
        if (!scale) return s;
        const neg = s.startsWith('-');
        if (neg) s = s.slice(1);
        s = s.padStart(scale + 1, '0');
        return (neg ? '-' : '') + s.slice(0, s.length - scale) + '.' + s.slice(s.length - scale);
      };
    }
    case Type.Timestamp: {
      const t = type as unknown as { unit: number; timezone?: string | null };
      const per = PER_SECOND[t.unit] ?? 1000n;
      const zoned = !!t.timezone;
      return (v, i) => {
        if (!v.isValid(i)) return null;
        const data = v.data[0] as unknown as { values: ArrayLike<bigint | number>; offset: number };
        const raw = data.values[i];
        const ticks = typeof raw === 'bigint' ? raw : BigInt(Math.trunc(raw as number));
        const iso = ticksToIso(ticks, per);
        return zoned ? iso + 'Z' : iso;
      };
    }
    case Type.Date:
      return (v, i) => {
        const x = v.get(i);
        if (x === null || x === undefined) return null;
        return new NaiveDateTime(new Date(x as number));
      };
    case Type.Time:
      return (v, i) => {
        const x = v.get(i);
        return x === null || x === undefined ? null : String(x);
      };
    case Type.Struct:
    case Type.List:
    case Type.FixedSizeList:
    case Type.Map:
    case Type.Union:
    case Type.LargeList:
      return (v, i) => {
        const x = v.get(i) as { toJSON?: () => unknown } | null;
        if (x === null || x === undefined) return null;
        return JSON.stringify(x.toJSON ? x.toJSON() : x, (_k, y) => (typeof y === 'bigint' ? y.toString() : y));
      };
    default:
      return (v, i) => v.get(i);
  }
}

export class ArrowReader implements FormatReader {
  encoding = 'binary';
  readonly allItems = false;
  readonly binaryPreferred = true;
  private reader!: RecordBatchReader;
  private fields: Field[] = [];
  private sink!: Sink;
  private fh: FileHandle | null = null;

  constructor(private readonly src: ByteSource) {}

  close(): void {
    void this.fh?.close().catch(() => {});
    this.fh = null;
  }

  async open(): Promise<string[]> {
    try {
      // The IPC file format keeps its schema and batch index at the end: read from a stream, apache-arrow
      // holds the whole file in one buffer (and copies it there). From a path it is read by random access,
      // a batch at a time.
      const head = this.src.path ? await this.src.peek(6) : null;
      if (head !== null && head.length >= 6 && head.toString('latin1', 0, 6) === 'ARROW1') {
        this.fh = await fsp.open(this.src.path!, 'r');
        this.reader = await RecordBatchReader.from(this.fh);
      } else this.reader = await RecordBatchReader.from(this.src.readable() as unknown as AsyncIterable<Uint8Array>);
      await (this.reader as unknown as { open(): Promise<unknown> }).open();
    } catch (e) {
      throw new LoadError('parse', `not a readable Arrow IPC file or stream: ${(e as Error).message}`, { cause: e });
    }
    const schema = this.reader.schema;
    if (!schema) throw new LoadError('parse', 'the Arrow input has no schema');
    this.fields = schema.fields;
    return this.fields.map((f) => f.name);
  }

  makeSink(o: SinkOptions): Sink {
    this.sink = o.binary
      ? new ArrowBinarySink(
          o,
          this.fields.map((f) => f.type),
          this.fields.map((f) => converter(f.type)),
        )
      : new Sink(o);
    return this.sink;
  }

  async run(tick: () => Promise<void>): Promise<void> {
    const convs = this.fields.map((f) => converter(f.type));
    const n = this.fields.length;
    const vals: unknown[] = new Array(n);
    let batches = 0;
    try {
      for await (const batch of this.reader as unknown as AsyncIterable<RecordBatch>) {
        const cols: Vector[] = [];
        for (let c = 0; c < n; c++) cols.push(batch.getChildAt(c)!);
        const rows = batch.numRows;
        const bin = this.sink instanceof ArrowBinarySink ? this.sink : null;
        for (let r = 0; bin !== null && r < rows; r += 4096) {
          bin.rows(batch, r, Math.min(rows, r + 4096));
          await tick();
        }
        for (let r = 0; bin === null && r < rows; r++) {
          for (let c = 0; c < n; c++) vals[c] = convs[c](cols[c], r);
          this.sink.values(vals, null);
          if ((r & 4095) === 4095) await tick();
        }
        // read by random access, the byte source does not see the batches: progress by batch
        if (this.fh) this.src.bytes = Math.round(((++batches) / Math.max(1, this.reader.numRecordBatches)) * (this.src.totalBytes ?? 0));
        await tick();
      }
    } catch (e) {
      if (e instanceof LoadError) throw e;
      throw new LoadError('parse', `cannot read the Arrow input: ${(e as Error).message}`, { cause: e });
    }
  }
}
