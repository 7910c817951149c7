/**
 * Rejects as CSV (the download behind `GET .../loads/:id/rejects.csv`): UTF-8 with a BOM so Excel opens
 * Chinese text correctly, one row per failing value, cells that a spreadsheet would run as a formula
 * neutralised with a leading apostrophe.
 */
import { once } from 'node:events';
import type { Writable } from 'node:stream';
import type { LoadErrorCode, Reject, RejectRule } from './types.ts';

/** `message_zh` last, so a program reading the columns by position before it came still reads them. */
export const REJECTS_CSV_COLUMNS = ['record', 'line', 'column', 'header', 'value', 'rule', 'message', 'message_zh'] as const;

/**
 * What each rule means, in Chinese. A reject's English message is built where the value failed (with
 * the limit it broke); the Chinese one is made from its rule, column and value when it is shown, so
 * the loaders' hot path builds no second string and the rejects table needs no second column.
 */
const RULE_ZH: Record<RejectRule, string> = {
  required: '缺少必填值',
  type: '值的类型不符',
  length: '值超过允许的长度',
  precision: '数字的位数超过允许的精度',
  scale: '小数位数超过允许的位数',
  enum: '值不在允许的取值范围内',
  pattern: '值不符合规定的格式',
  minimum: '值小于允许的最小值',
  maximum: '值大于允许的最大值',
  uscc: '不是有效的统一社会信用代码',
  'id-card': '不是有效的居民身份证号码',
  'region-code': '不是有效的行政区划代码',
  mobile: '不是有效的手机号码',
  'duplicate-key': '主键值重复',
  format: '记录的格式有误',
};

/** A reject's reason in Chinese: the rule broken, where, and the English detail (which names the limit). */
export function rejectMessageZh(r: Pick<Reject, 'record' | 'column' | 'header' | 'rule' | 'message'>): string {
  const where = r.column ? `第 ${r.record} 条记录的“${r.header ?? r.column}”` : `第 ${r.record} 条记录`;
  return `${where}${RULE_ZH[r.rule] ?? '值有误'}（${r.message}）`;
}

const LOAD_ERROR_ZH: Record<LoadErrorCode, string> = {
  empty: '文件中没有数据行',
  'max-errors': '被拒绝的值超过允许的数量，装载已停止',
  'missing-columns': '文件缺少必需的列',
  'unknown-columns': '文件中有资源没有的列',
  'duplicate-columns': '文件中有重复的列',
  encoding: '文件的字符编码无法读取',
  parse: '文件无法解析',
  options: '装载选项有误',
  aborted: '装载已中止',
  database: '数据库写入失败',
};

/** Why a load failed, in Chinese, by its code; the English message follows with the particulars. */
export function loadErrorZh(code: string, message: string): string {
  const said = (LOAD_ERROR_ZH as Record<string, string>)[code] ?? (code === 'interrupted' ? '运行此装载的进程在完成前停止，之前的版本仍为当前版本' : '装载失败');
  return `${said}（${message}）`;
}

function cell(v: string | number | null): string {
  if (v === null) return '';
  let s = String(v);
  if (typeof v === 'string' && /^[=+\-@\t\r]/.test(s) && !/^[+-]?\d+(\.\d+)?$/.test(s)) s = "'" + s;
  return /[",\r\n]|^\s|\s$/.test(s) ? '"' + s.replace(/"/g, '""') + '"' : s;
}

export function rejectRow(r: Reject): string {
  return [r.record, r.line, r.column, r.header, r.value, r.rule, r.message, rejectMessageZh(r)].map(cell).join(',') + '\r\n';
}

/** The rejects as one CSV string (with a BOM unless `bom: false`). */
export function rejectsToCsv(rejects: Iterable<Reject>, opts: { bom?: boolean } = {}): string {
  let s = (opts.bom === false ? '' : '\ufeff') + REJECTS_CSV_COLUMNS.join(',') + '\r\n';
  for (const r of rejects) s += rejectRow(r);
  return s;
}

/** Streams the rejects as CSV into `out` (which is not ended). */
export async function writeRejectsCsv(
  rejects: Iterable<Reject> | AsyncIterable<Reject>,
  out: Writable,
  opts: { bom?: boolean } = {},
): Promise<void> {
  let buf = (opts.bom === false ? '' : '\ufeff') + REJECTS_CSV_COLUMNS.join(',') + '\r\n';
  for await (const r of rejects as AsyncIterable<Reject>) {
    buf += rejectRow(r);
    if (buf.length > 1 << 16) {
      if (!out.write(buf)) await once(out, 'drain');
      buf = '';
    }
  }
  if (buf && !out.write(buf)) await once(out, 'drain');
}
