/**
 * Indicators and evaluations as files for people: CSV (UTF-8 with a BOM, Chinese headers, one
 * row per department and one for the city) and .xlsx (the same table, plus the stale list).
 */
import ExcelJS from 'exceljs';
import { csvField } from '../lib/csv.ts';
import type { EvaluationRow } from './evaluation.ts';
import { figure, type IndicatorReport } from './indicators.ts';

type Cell = string | number | null;

/** Each figure of a department's row: its Chinese header and where it is in the indicators. */
export const INDICATOR_COLUMNS: readonly [string, string][] = [
  ['census.departmentsReporting', '填报部门数'],
  ['census.systems', '信息系统数'],
  ['census.resources', '信息资源数'],
  ['census.items', '信息项数'],
  ['census.systemsWithResourceShare', '有资源的系统占比'],
  ['census.published', '已发布资源数'],
  ['census.linked', '已挂接资源数'],
  ['census.linkRate', '挂接率'],
  ['timeliness.withCycle', '有更新周期的资源数'],
  ['timeliness.onTime', '按时更新资源数'],
  ['timeliness.onTimeRate', '更新及时率'],
  ['quality.loads', '数据加载次数'],
  ['quality.rowsRead', '读入行数'],
  ['quality.rowsRejected', '拒收行数'],
  ['quality.rejectedPerLoad', '每次加载拒收行数'],
  ['quality.requiredNulls', '必填项空值数'],
  ['quality.duplicateKeys', '重复主键数'],
  ['quality.score', '质量得分'],
  ['quality.errorReports', '纠错报告数'],
  ['quality.errorReportsAnswered', '已答复纠错报告数'],
  ['quality.errorReportInTimeRate', '纠错按时答复率'],
  ['quality.errorReportsFixed', '已修正纠错报告数'],
  ['quality.errorReportsRejected', '已驳回纠错报告数'],
  ['quality.errorReportsOpen', '待答复纠错报告数'],
  ['quality.errorReportsOverdue', '逾期未答复纠错报告数'],
  ['sharing.received', '收到共享申请数'],
  ['sharing.made', '提出共享申请数'],
  ['sharing.realTimeRate', '实时响应率'],
  ['sharing.answered', '已答复申请数'],
  ['sharing.inTimeRate', '按时答复率'],
  ['sharing.medianAnswerDays', '答复用时中位数（工作日）'],
  ['sharing.refused', '拒绝数'],
  ['sharing.disputes', '争议数'],
  ['sharing.grantsInForce', '有效授权数'],
  ['sharing.grantsUnused90', '90 天未使用授权数'],
  ['sharing.demands', '共享需求数'],
  ['sharing.demandsFulfilled', '已满足需求数'],
  ['sharing.demandFulfilmentRate', '需求满足率'],
  ['open.datasets', '开放数据集数'],
  ['open.capacity', '开放数据容量（行×项）'],
  ['open.machineReadableShare', '机器可读比例'],
  ['open.domains', '覆盖领域数'],
  ['open.departmentsCovered', '开放部门数'],
  ['open.downloads', '下载次数'],
  ['open.apiCalls', '接口调用次数'],
  ['open.developers', '注册开发者数'],
  ['open.developersActive', '活跃开发者数'],
  ['open.applications', '有条件开放申请数'],
  ['open.applicationsApproved', '批准申请数'],
  ['open.applicationsRefused', '不予批准申请数'],
  ['open.applicationsWithdrawn', '撤回申请数'],
  ['open.applicationsAnsweredInTime', '按时答复申请数'],
  ['open.applicationInTimeRate', '申请按时答复率'],
];

function indicatorRows(report: IndicatorReport): Cell[][] {
  const rows: Cell[][] = [];
  if (report.city) rows.push(['全市', null, ...INDICATOR_COLUMNS.map(([k]) => figure(report.city!, k))]);
  for (const d of report.departments) rows.push([d.department.name, d.department.id, ...INDICATOR_COLUMNS.map(([k]) => figure(d, k))]);
  return rows;
}

const INDICATOR_HEADERS = ['部门', '部门编号', ...INDICATOR_COLUMNS.map(([, h]) => h)];

function csv(headers: string[], rows: Cell[][]): Buffer {
  const field = (v: Cell) => (v === null ? '' : csvField(typeof v === 'string' && /^[=+\-@]/.test(v) ? `'${v}` : String(v)));
  const lines = [headers, ...rows].map((r) => r.map(field).join(','));
  return Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(lines.join('\r\n') + '\r\n', 'utf8')]);
}

function sheet(wb: ExcelJS.Workbook, name: string, headers: string[], rows: Cell[][]): void {
  const ws = wb.addWorksheet(name);
  ws.columns = headers.map((h) => ({ header: h, width: Math.min(30, Math.max(10, h.length * 2 + 2)) }));
  ws.getRow(1).font = { bold: true };
  ws.views = [{ state: 'frozen', ySplit: 1 }];
  for (const r of rows) ws.addRow(r);
}

export function indicatorsCsv(report: IndicatorReport): Buffer {
  return csv(INDICATOR_HEADERS, indicatorRows(report));
}

export async function indicatorsXlsx(report: IndicatorReport): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  wb.creator = 'ODX';
  sheet(wb, '指标', INDICATOR_HEADERS, indicatorRows(report));
  const stale = (report.city ? [{ department: { name: '全市' }, ...report.city }] : report.departments).flatMap((d) =>
    d.timeliness.stale.map((s) => [s.code, s.name, s.updateCycle, s.lastLoadAt, s.daysOverdue] as Cell[]),
  );
  sheet(wb, '未按时更新', ['资源代码', '资源名称', '更新周期', '最近加载时间', '逾期天数'], stale);
  return Buffer.from(await wb.xlsx.writeBuffer());
}

export async function evaluationXlsx(month: string, rows: EvaluationRow[]): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  wb.creator = 'ODX';
  const keys = rows[0]?.parts.map((p) => p.indicator) ?? [];
  const header = (k: string) => INDICATOR_COLUMNS.find(([key]) => key === k)?.[1] ?? k;
  sheet(
    wb,
    `考核评价 ${month}`,
    ['排名', '部门', '部门编号', '得分', ...keys.map((k) => `${header(k)}（权重 ${rows[0].parts.find((p) => p.indicator === k)!.weight}）`)],
    rows.map((r) => [r.rank, r.department.name, r.department.id, r.score, ...r.parts.map((p) => p.value)]),
  );
  return Buffer.from(await wb.xlsx.writeBuffer());
}
