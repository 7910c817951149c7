import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Knex } from 'knex';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { closeServices, createApp } from '../../server/src/app.ts';
import { HeadSigner } from '../../server/src/audit/signing.ts';
import { resourceSearchText } from '../../server/src/census/documents/derive.ts';
import { RANKED } from '../../server/src/census/resources/search.ts';
import { tsvectorLiteral } from '../../server/src/census/search-text.ts';
import { loadConfig } from '../../server/src/config.ts';
import { createLogger } from '../../server/src/http/observability.ts';
import { withUsccCheck } from '../../server/src/lib/identifiers.ts';
import { validateDocument, type DataResource, type ResourceItem } from '../../server/src/schemas/validator.ts';
import { makePrincipal } from '../helpers/app.ts';
import { freshDatabase } from '../helpers/db.ts';
import { fmt, report } from './lib/report.ts';
import { rng } from '../helpers/rng.ts';
import { listenLocal } from './lib/listen.ts';

/**
 * Catalogue search over 100,000 published resources through HTTP. The catalogue is generated
 * from a combinatorial vocabulary (department × subject × kind of record, with item pools and
 * tags per domain), COPYed in with the same tsvector the registry computes, then the real app
 * answers a mix of queries a catalogue user types: rare and common terms, several terms,
 * with and without facets, with filters, a later page.
 */

// ---------------------------------------------------------------------------------------------
// vocabulary

const BUREAUS = [
  '市场监督管理局', '交通运输局', '卫生健康委员会', '人力资源和社会保障局', '文化和旅游局', '地方金融管理局', '公安局', '民政局',
  '教育局', '生态环境局', '住房和建设局', '自然资源和规划局', '医疗保障局', '农业农村局', '商务局', '应急管理局',
  '城市管理行政执法局', '水利局', '统计局', '司法局', '退役军人事务局', '体育局', '住房公积金管理中心', '港口管理局',
];
const DISTRICTS = [['思明区', '350203'], ['海沧区', '350205'], ['湖里区', '350206'], ['集美区', '350211'], ['同安区', '350212'], ['翔安区', '350213']] as const;
const DISTRICT_BUREAUS = ['市场监督管理局', '民政局', '卫生健康局', '人力资源和社会保障局', '教育局', '城市管理局'];

type Field = [name: string, label: string, type: ResourceItem['type'], length?: number];
const COMMON_FIELDS: Field[] = [
  ['entity_name', '名称', 'C', 200], ['address', '地址', 'C', 200], ['phone', '联系电话', 'C', 20], ['region_code', '行政区划代码', 'C', 6],
  ['reg_date', '登记日期', 'D'], ['valid_to', '有效期至', 'D'], ['agency', '经办机构', 'C', 100], ['state', '状态', 'C', 10], ['remark', '备注', 'M'],
  ['updated_at', '更新时间', 'T'],
];

interface Group {
  domain: NonNullable<DataResource['domain']>;
  category: string;
  bureau: string;
  subjects: string[];
  fields: Field[];
  tags: string[];
  personal?: boolean;
}

const GROUPS: Group[] = [
  { domain: 'market', category: '216', bureau: '市场监督管理局', subjects: ['企业', '个体工商户', '农民专业合作社', '食品生产', '食品经营', '药品零售', '医疗器械经营', '化妆品生产', '特种设备', '计量器具', '广告经营', '商标注册', '网络交易平台', '电梯维保', '产品质量抽检'],
    fields: [['uscc', '统一社会信用代码', 'C', 18], ['legal_rep', '法定代表人', 'C', 50], ['reg_capital', '注册资本', 'N', 18], ['scope', '经营范围', 'M'], ['licence_no', '许可证编号', 'C', 30], ['entity_type', '主体类型', 'C', 30], ['premises', '经营场所', 'C', 200]],
    tags: ['市场主体', '营业执照', '许可证', '食品安全', '质量监管', '企业服务'] },
  { domain: 'transport', category: '213', bureau: '交通运输局', subjects: ['公交线路', '公交站点', '出租汽车', '网约车', '道路运输', '客运站', '港口码头', '公共停车场', '公共自行车', '机动车维修', '驾驶员培训', '轨道交通', '货运车辆', '城市道路'],
    fields: [['line_no', '线路编号', 'C', 20], ['stop_name', '站点名称', 'C', 50], ['plate', '车牌号码', 'C', 10], ['longitude', '经度', 'N', 10], ['latitude', '纬度', 'N', 10], ['vehicle_type', '车辆类型', 'C', 20], ['cert_no', '从业资格证号', 'C', 30], ['spaces', '泊位数', 'I', 10]],
    tags: ['交通出行', '公交', '实时', '地理位置', '出行服务'] },
  { domain: 'health', category: '202', bureau: '卫生健康委员会', subjects: ['医疗机构', '医师执业', '护士执业', '药品不良反应', '疫苗接种', '传染病报告', '妇幼保健', '职业病防治', '健康体检', '家庭医生签约', '急救站点', '无偿献血', '出生医学证明', '医院床位'],
    fields: [['org_name', '机构名称', 'C', 200], ['reg_no', '登记号', 'C', 30], ['subjects', '诊疗科目', 'C', 1000], ['beds', '床位数', 'I', 10], ['person_name', '姓名', 'C', 50], ['id_card', '公民身份号码', 'C', 18], ['practice_type', '执业类别', 'C', 20]],
    tags: ['医疗卫生', '医疗机构', '公共卫生', '便民服务'], personal: true },
  { domain: 'social_security', category: '203', bureau: '人力资源和社会保障局', subjects: ['养老保险', '失业保险', '工伤保险', '社会保险参保', '就业登记', '职业技能培训', '劳动合同备案', '最低生活保障', '特困人员供养', '养老服务机构', '残疾人补贴', '退役军人优待', '人才引进', '劳动保障监察'],
    fields: [['person_name', '姓名', 'C', 50], ['id_card', '公民身份号码', 'C', 18], ['insurance', '险种类型', 'C', 20], ['employer', '参保单位', 'C', 200], ['pay_base', '缴费基数', 'Y', 18], ['insured_on', '参保日期', 'D'], ['allowance', '补贴金额', 'Y', 18]],
    tags: ['社会保障', '社保', '就业', '民生', '养老'], personal: true },
  { domain: 'culture_tourism', category: '214', bureau: '文化和旅游局', subjects: ['旅游景区', '旅行社', '星级饭店', '民宿', '导游', '演出场所', '文物保护单位', '博物馆', '公共图书馆', '体育场馆', '非物质文化遗产', '上网服务场所', '景区客流', '旅游投诉'],
    fields: [['venue', '场所名称', 'C', 200], ['grade', '等级', 'C', 4], ['ticket', '门票价格', 'Y', 18], ['hours', '开放时间', 'C', 100], ['capacity', '最大承载量', 'I', 10], ['visitors', '接待人次', 'I', 10]],
    tags: ['文化旅游', '景区', '文旅', '公共文化'] },
  { domain: 'finance', category: '215', bureau: '地方金融管理局', subjects: ['小额贷款公司', '融资担保', '典当行', '融资租赁', '商业保理', '地方金融组织', '普惠金融服务站', '企业融资需求', '政府性融资担保', '上市后备企业', '创业担保贷款', '金融纠纷调解'],
    fields: [['uscc', '统一社会信用代码', 'C', 18], ['company', '机构名称', 'C', 200], ['capital', '注册资本', 'N', 18], ['loan_amount', '贷款金额', 'Y', 18], ['rating', '监管评级', 'C', 2], ['licence_no', '经营许可证编号', 'C', 30]],
    tags: ['普惠金融', '金融服务', '融资', '信贷'] },
  { domain: 'credit', category: '104', bureau: '市场监督管理局', subjects: ['行政处罚', '行政许可', '失信被执行人', '经营异常名录', '严重违法失信', '信用承诺', '信用修复', '守信激励对象', '税收违法', '欠薪失信'],
    fields: [['uscc', '统一社会信用代码', 'C', 18], ['decision_no', '决定书文号', 'C', 60], ['violation', '违法行为', 'C', 200], ['penalty', '处罚内容', 'M'], ['amount', '罚没金额', 'Y', 18], ['decided_on', '决定日期', 'D']],
    tags: ['信用', '双公示', '联合惩戒', '信用修复'] },
  { domain: 'environment', category: '211', bureau: '生态环境局', subjects: ['排污许可', '空气质量监测', '水质监测', '危险废物经营', '建设项目环评', '噪声监测', '重点排污单位', '环境行政处罚'],
    fields: [['site', '监测点位', 'C', 100], ['pm25', 'PM2.5浓度', 'F'], ['aqi', '空气质量指数', 'I', 5], ['permit_no', '排污许可证编号', 'C', 30], ['pollutant', '污染物种类', 'C', 100]],
    tags: ['生态环境', '监测', '环保'] },
  { domain: 'education', category: '201', bureau: '教育局', subjects: ['中小学校', '幼儿园', '校外培训机构', '教师资格', '学位供给', '招生计划', '学生资助', '职业院校'],
    fields: [['school', '学校名称', 'C', 200], ['school_type', '办学类型', 'C', 20], ['students', '在校生数', 'I', 10], ['teachers', '专任教师数', 'I', 10], ['enrolment', '招生人数', 'I', 10]],
    tags: ['教育', '学校', '招生'] },
  { domain: 'housing', category: '209', bureau: '住房和建设局', subjects: ['不动产登记', '商品房预售', '住房公积金缴存', '建筑工程施工许可', '物业服务企业', '保障性住房', '建筑业企业资质', '房屋租赁备案'],
    fields: [['project', '项目名称', 'C', 200], ['permit_no', '许可证号', 'C', 30], ['area', '建筑面积', 'N', 12], ['units', '套数', 'I', 10], ['developer', '开发企业', 'C', 200]],
    tags: ['住房', '不动产', '建设'] },
  { domain: 'public_safety', category: '101', bureau: '公安局', subjects: ['户籍人口', '居住证', '机动车登记', '驾驶人', '消防安全重点单位', '旅馆业治安', '交通事故', '出入境证件'],
    fields: [['person_name', '姓名', 'C', 50], ['id_card', '公民身份号码', 'C', 18], ['plate', '号牌号码', 'C', 10], ['hukou', '户籍地址', 'C', 200], ['issued_on', '签发日期', 'D']],
    tags: ['公共安全', '人口', '核验'], personal: true },
  { domain: 'agriculture', category: '201', bureau: '农业农村局', subjects: ['农药经营', '动物防疫', '农业机械', '家庭农场', '农产品质量检测', '高标准农田'],
    fields: [['farm', '经营主体', 'C', 200], ['crop', '作物品种', 'C', 50], ['acreage', '面积（亩）', 'N', 12], ['test_result', '检测结果', 'C', 20]],
    tags: ['农业农村', '农产品'] },
];

const KINDS = ['信息', '登记信息', '许可信息', '备案信息', '名录', '名单', '证书信息', '检查信息', '统计信息', '年报信息', '变更信息', '注销信息', '监测数据', '实时信息', '核验信息', '目录', '台账', '基本信息'];
const VERBS = ['登记', '审批', '采集', '汇总', '归集', '维护'];
const USES = ['用于行业监管和统计分析', '支撑“一网通办”事项办理', '供相关部门依职责核验', '向社会公众开放查询', '支撑信用分级分类监管', '用于应急指挥调度', '支撑城市运行监测', '为企业和群众提供便民查询'];
const GENERAL_TAGS = ['开放数据', '高频', '电子证照', '一网通办', '民生', '企业服务', '基础数据', '统计'];
const CYCLES: DataResource['updateCycle'][] = ['realtime', 'daily', 'daily', 'weekly', 'monthly', 'monthly', 'quarterly', 'semiannual', 'yearly', 'irregular'];
const FORMATS: [DataResource['format']['type'], string][] = [['database', 'oracle'], ['database', 'mysql'], ['database', 'postgresql'], ['spreadsheet', 'xlsx'], ['spreadsheet', 'csv'], ['service', 'json'], ['file', 'pdf'], ['self_describing', 'geojson']];

/** Deterministic, so runs compare. */
function generator(seed: number) {
  const next = rng(seed);
  const int = (n: number) => Math.floor(next() * n);
  const pick = <T>(xs: readonly T[]): T => xs[int(xs.length)];
  const some = <T>(xs: readonly T[], k: number): T[] => {
    const copy = [...xs];
    const out: T[] = [];
    while (out.length < k && copy.length) out.push(copy.splice(int(copy.length), 1)[0]);
    return out;
  };
  return { next, int, pick, some };
}

function toItem([name, label, type, length]: Field, personal: boolean): ResourceItem {
  const it: ResourceItem = { name, label, type, ...(length ? { length } : {}) };
  if (name === 'uscc') Object.assign(it, { required: true, check: 'uscc' });
  if (type === 'N' && length) it.scale = 2;
  if (personal && (name === 'person_name' || name === 'id_card')) Object.assign(it, { sensitivity: 'personal', mask: name === 'id_card' ? 'id-card' : 'name' });
  if (name === 'id_card') it.check = 'id-card';
  return it;
}

export interface Department {
  id: number;
  name: string;
  short: string;
}

/** One generated catalogue entry: its document and the columns the registry derives from it. */
function generate(r: ReturnType<typeof generator>, depts: Map<string, Department[]>, districtOf: Map<number, string>) {
  const g = r.pick(GROUPS);
  const subject = r.pick(g.subjects);
  const kind = r.pick(KINDS);
  const candidates = depts.get(g.bureau) ?? depts.get('*')!;
  const dept = r.pick(candidates);
  const district = districtOf.get(dept.id);
  const prefix = district ?? (r.next() < 0.15 ? r.pick(DISTRICTS)[0] : '');
  const year = r.next() < 0.1 ? `（${2019 + r.int(6)}年）` : '';
  const name = `${prefix}${subject}${kind}${year}`;
  const fields = [...r.some(g.fields, 2 + r.int(4)), ...r.some(COMMON_FIELDS, 2 + r.int(5))];
  const share: DataResource['shareType'] = g.personal ? (r.next() < 0.8 ? 'conditional' : 'none') : r.next() < 0.75 ? 'unconditional' : r.next() < 0.8 ? 'conditional' : 'none';
  const open: DataResource['openType'] =
    share === 'none' ? 'closed' : share === 'conditional' ? (r.next() < 0.3 ? 'conditional' : 'closed') : r.next() < 0.7 ? 'open' : r.next() < 0.5 ? 'conditional' : 'closed';
  const items = fields.map((f) => toItem(f, true));
  const labels = items.map((i) => i.label);
  const doc: DataResource = {
    name,
    summary: `${dept.name}${r.pick(VERBS)}的${prefix}${subject}${kind.replace(/^信息$/, '相关信息')}，包括${labels.slice(0, 4).join('、')}等${items.length}项内容，${r.pick(USES)}。`,
    category: g.category,
    provider: '000000000000000000',
    format: ((f) => ({ type: f[0], subtype: f[1] }))(r.pick(FORMATS)),
    items,
    shareType: share,
    ...(share === 'conditional' ? { shareCondition: '仅限依法履行职责的部门使用，不得向第三方提供' } : {}),
    ...(share === 'none' ? { shareBasis: '《中华人民共和国个人信息保护法》第二十八条' } : { shareMethod: r.next() < 0.8 ? 'platform' : 'table_exchange' }),
    openType: open,
    ...(open === 'conditional' ? { openCondition: '申请方须说明用途并签订数据使用协议' } : {}),
    updateCycle: kind === '实时信息' ? 'realtime' : r.pick(CYCLES),
    domain: g.domain,
    tags: [...new Set([...r.some(g.tags, 1 + r.int(3)), ...(r.next() < 0.4 ? [r.pick(GENERAL_TAGS)] : [])])],
    volume: { records: 100 + r.int(2_000_000) },
  };
  return { doc, dept };
}

/** CSV field for COPY: always quoted, so empty strings stay strings; null stays unquoted. */
const csv = (v: string | number | boolean | null) => (v === null ? '' : `"${String(v).replace(/"/g, '""')}"`);

/**
 * Creates the departments and COPYs `published` published entries plus a few drafts and
 * retired ones into a fresh database, builds the search index afterwards and analyzes.
 */
export async function loadCatalogue(knex: Knex, url: string, published: number): Promise<{ departments: Department[]; rows: number; seconds: number }> {
  const t0 = process.hrtime.bigint();
  const deptRows = [
    ...BUREAUS.map((b, i) => ({ name: `滨海市${b}`, short_name: `市${b.replace(/(委员会|管理局|中心)$/, '')}`, uscc: withUsccCheck(`1135020000${String(3600000 + i * 97).padStart(7, '0')}`), region_code: '350200', kind: 'bureau' })),
    ...DISTRICTS.flatMap(([d, code], j) =>
      DISTRICT_BUREAUS.map((b, i) => ({ name: `滨海市${d}${b}`, short_name: `${d}${b}`, uscc: withUsccCheck(`11${code}00${String(5000000 + j * 1000 + i * 13).padStart(7, '0')}`), region_code: code, kind: 'bureau' })),
    ),
  ];
  const inserted: { id: number; name: string; short_name: string; region_code: string; uscc: string }[] = await knex('odx.departments').insert(deptRows).returning(['id', 'name', 'short_name', 'region_code', 'uscc']);
  const departments = inserted.map((d) => ({ id: d.id, name: d.name, short: d.short_name }));
  const usccOf = new Map(inserted.map((d) => [d.id, d.uscc]));
  const districtOf = new Map(inserted.filter((d) => d.region_code !== '350200').map((d) => [d.id, DISTRICTS.find((x) => x[1] === d.region_code)![0]]));
  // a district bureau registers the district's share of its city bureau's kinds of data
  const byBureau = new Map<string, Department[]>();
  for (const d of inserted) {
    const bureau = d.name.replace(/^滨海市/, '').replace(/^(思明区|海沧区|湖里区|集美区|同安区|翔安区)/, '').replace('卫生健康局', '卫生健康委员会').replace(/^城市管理局$/, '城市管理行政执法局');
    byBureau.set(bureau, [...(byBureau.get(bureau) ?? []), { id: d.id, name: d.name, short: d.short_name }]);
  }
  byBureau.set('*', departments);

  const r = generator(20260101);
  const seq = new Map<string, number>();
  const total = Math.round(published * 1.03);
  const now = Date.now();
  let checked = 0;
  function* rows() {
    for (let i = 0; i < total; i++) {
      const { doc, dept } = generate(r, byBureau, districtOf);
      doc.provider = usccOf.get(dept.id)!;
      if (checked < 300) {
        const v = validateDocument('resource', doc);
        if (!v.ok) throw new Error(`generated document breaks the schema: ${JSON.stringify(v.violations.slice(0, 3))}`);
        checked++;
      }
      // 100,000 published, then 2% drafts and 1% retired spread through the table
      const status = i % 100 === 7 || i % 100 === 57 ? 'draft' : i % 100 === 93 ? 'retired' : 'published';
      const isPublished = status !== 'draft';
      const n = (seq.get(doc.category) ?? 0) + (isPublished ? 1 : 0);
      if (isPublished) seq.set(doc.category, n);
      const json = JSON.stringify(doc);
      const publishedAt = new Date(now - r.int(5 * 365) * 86_400_000 - r.int(86_400_000)).toISOString();
      yield [
        dept.id, status, json, 1, isPublished ? `${doc.category}/${String(n).padStart(6, '0')}` : null, isPublished ? json : null, isPublished ? 1 : null,
        isPublished ? publishedAt : null, status === 'retired' ? publishedAt : null, doc.name, doc.category, doc.shareType, doc.openType, doc.domain ?? null,
        doc.format.type, doc.updateCycle, tsvectorLiteral(resourceSearchText(doc)), r.next() < 0.6, publishedAt, publishedAt,
      ].map(csv).join(',') + '\n';
    }
  }
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    // the GIN indexes (search vector, search keys: migrations 002, 007) are built after the COPY, as they are defined
    const gin: string[] = (await client.query(`select indexname, indexdef from pg_indexes where schemaname = 'odx' and tablename = 'resources' and indexdef ~* 'using gin'`)).rows.map(
      (r: { indexname: string; indexdef: string }) => r.indexdef,
    );
    for (const def of gin) await client.query(`drop index odx.${/^create index (\S+)/i.exec(def)![1]}`);
    const copy = client.query(copyFrom(`copy odx.resources (department_id, status, doc, version, code, published_doc, published_version, published_at, retired_at,
      name, category, share_type, open_type, domain, format_type, update_cycle, search, linked, created_at, updated_at) from stdin with (format csv)`));
    await pipeline(Readable.from(rows()), copy);
    await client.query(`set maintenance_work_mem = '512MB'`);
    for (const def of gin) await client.query(def);
    for (const [category, n] of seq) await client.query('insert into odx.resource_code_sequences (category, last_seq) values ($1, $2)', [category, n]);
    await client.query('vacuum analyze odx.resources');
  } finally {
    await client.end();
  }
  return { departments, rows: total, seconds: Number(process.hrtime.bigint() - t0) / 1e9 };
}

// ---------------------------------------------------------------------------------------------
// the query mix

interface Query {
  kind: string;
  params: Record<string, string>;
}

function queryMix(departments: Department[]): Query[] {
  const market = departments.find((d) => d.name === '滨海市市场监督管理局')!.id;
  const q = (kind: string, params: Record<string, string>): Query => ({ kind, params });
  const rare = ['排污许可', '典当行', '非物质文化遗产', '家庭医生签约', '失信被执行人', '商业保理', '驾驶员培训', '诊疗科目', '翔安区', '出入境证件'];
  const common = ['信息', '登记', '许可', '名录', '企业'];
  const multi = ['企业 许可', '养老保险 参保', '公交 实时', '食品 经营 许可', '医疗机构 床位', '信息 登记'];
  return [
    ...rare.map((t) => q('rare term', { q: t })),
    ...rare.slice(0, 5).map((t) => q('rare term, no facets', { q: t, facets: 'false' })),
    ...common.map((t) => q('common term', { q: t })),
    ...common.map((t) => q('common term, no facets', { q: t, facets: 'false' })),
    ...multi.map((t) => q('two or three terms', { q: t })),
    q('filtered', { q: '信息', domain: 'market' }),
    q('filtered', { q: '许可', shareType: 'unconditional', openType: 'open' }),
    q('filtered', { q: '登记', department: String(market) }),
    q('filtered', { q: '实时', updateCycle: 'realtime,daily' }),
    q('browse (no q)', {}),
    q('browse (no q)', { domain: 'health' }),
    q('browse (no q)', { openType: 'open', facets: 'false' }),
  ];
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

/** Sends `total` requests from `concurrency` workers cycling through the mix; returns latencies (ms) by kind. */
async function measure(base: string, token: string, mix: Query[], total: number, concurrency: number, path = '/api/v1/resources') {
  const byKind = new Map<string, number[]>();
  let next = 0;
  let failures = 0;
  const worker = async () => {
    while (next < total) {
      const query = mix[next++ % mix.length];
      const url = `${base}${path}?${new URLSearchParams(query.params)}`;
      const t0 = process.hrtime.bigint();
      const res = await fetch(url, { headers: { Authorization: `Bearer ${token}` } });
      await res.arrayBuffer();
      const ms = Number(process.hrtime.bigint() - t0) / 1e6;
      if (res.status !== 200) failures++;
      const list = byKind.get(query.kind) ?? [];
      list.push(ms);
      byKind.set(query.kind, list);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  if (failures) throw new Error(`${failures} search requests failed`);
  return byKind;
}

function summarise(name: string, latencies: number[], extra: Record<string, string> = {}) {
  const s = [...latencies].sort((a, b) => a - b);
  report(name, { n: s.length, p50: `${percentile(s, 50).toFixed(1)}ms`, p99: `${percentile(s, 99).toFixed(1)}ms`, max: `${s[s.length - 1].toFixed(1)}ms`, ...extra });
}

/**
 * A query matching most of the catalogue: ranked among the newest RANKED matches, paged
 * without repeats in score order, counted by estimate. Fails the run if not.
 */
async function checkCapped(base: string, token: string): Promise<void> {
  const seen: number[] = [];
  const scores: number[] = [];
  let cursor: string | null = null;
  let first: { total: number; approximate: boolean; capped: boolean } | undefined;
  do {
    const res: Response = await fetch(`${base}/api/v1/resources?${new URLSearchParams({ q: '信息', limit: '100', facets: cursor ? 'false' : 'true', ...(cursor ? { cursor } : {}) })}`, {
      headers: { Authorization: `Bearer ${token}` },
    });
    const body = (await res.json()) as { items: { id: number; score: number }[]; next: string | null; total: number; approximate: boolean; capped: boolean };
    first ??= body;
    seen.push(...body.items.map((i) => i.id));
    scores.push(...body.items.map((i) => i.score));
    cursor = body.next;
  } while (cursor);
  const sorted = scores.every((s, i) => i === 0 || s <= scores[i - 1]);
  if (!first!.capped || !first!.approximate || seen.length !== RANKED || new Set(seen).size !== RANKED || !sorted) {
    throw new Error(`capped search misbehaves: ${JSON.stringify({ capped: first!.capped, approximate: first!.approximate, paged: seen.length, distinct: new Set(seen).size, sorted })}`);
  }
  report('search — 信息 (capped): pages through', { ranked: seen.length, 'estimated total': fmt(first!.total) });
}

/** Starts the real app on a free port of 127.0.0.1 and measures the query mix through HTTP. */
export async function measureSearch(knex: Knex, home: string, departments: Department[], published: number, requests: number, concurrency: number): Promise<void> {
  const config = loadConfig({ ODX_HOME: home, ODX_LOG_LEVEL: 'silent' } as NodeJS.ProcessEnv);
  const { server: httpServer, services } = createApp({ knex, config, log: createLogger('silent'), signer: await HeadSigner.load(home) });
  const server = httpServer();
  const base = await listenLocal(server);
  try {
    const market = departments.find((d) => d.name === '滨海市市场监督管理局')!;
    const stamp = Date.now().toString(36);
    // a department reader: the consumer role now comes only with a system credential; a registrar reaches as far
    const consumer = await makePrincipal(knex, `bench.reader.${stamp}`, market.id, ['registrar']);
    const authority = await makePrincipal(knex, `bench.authority.${stamp}`, departments[0].id, ['authority']);
    const mix = queryMix(departments);
    // a later page: the cursor of page 5 of a common term
    let cursor: string | null = null;
    for (let page = 0; page < 4; page++) {
      const res: Response = await fetch(`${base}/api/v1/resources?${new URLSearchParams({ q: '许可', facets: 'false', ...(cursor ? { cursor } : {}) })}`, { headers: { Authorization: `Bearer ${consumer.token}` } });
      cursor = ((await res.json()) as { next: string | null }).next;
    }
    if (cursor) mix.push({ kind: 'page 5 of a common term', params: { q: '许可', facets: 'false', cursor } });

    await checkCapped(base, consumer.token);
    await measure(base, consumer.token, mix, mix.length * 3, concurrency); // warm the caches
    // what any authenticated request costs on this machine right now (token lookup, JSON, HTTP)
    const floor = await measure(base, consumer.token, [{ kind: 'floor', params: {} }], Math.round(requests / 4), concurrency, '/api/v1/me');
    summarise('HTTP floor — GET /api/v1/me, same token and concurrency', floor.get('floor')!);
    for (const [who, token] of [['department reader (scoped)', consumer.token], ['authority (unscoped)', authority.token]] as const) {
      const t0 = process.hrtime.bigint();
      const byKind = await measure(base, token, mix, who.startsWith('department') ? requests : Math.round(requests / 2), concurrency);
      const secs = Number(process.hrtime.bigint() - t0) / 1e9;
      const all = [...byKind.values()].flat();
      summarise(`search ${fmt(published)} — ${who}, all queries`, all, { 'req/s': fmt(all.length / secs), concurrency: String(concurrency) });
      for (const [kind, ms] of byKind) summarise(`  ${kind}`, ms);
    }
  } finally {
    await new Promise((resolve) => server.close(resolve));
    await closeServices(services);
  }
}

export async function searchBench(opts: { published?: number; requests?: number; concurrency?: number } = {}): Promise<void> {
  const published = opts.published ?? Number(process.env.SEARCH_BENCH_RESOURCES ?? 100_000);
  const requests = opts.requests ?? Number(process.env.SEARCH_BENCH_REQUESTS ?? 2_000);
  const concurrency = opts.concurrency ?? 2;
  const db = await freshDatabase();
  const home = await fs.mkdtemp(path.join(os.tmpdir(), 'odx-search-bench-'));
  try {
    const loaded = await loadCatalogue(db.owner, db.ownerUrl, published);
    report('search — load generated catalogue (COPY + GIN build)', { rows: fmt(loaded.rows), seconds: loaded.seconds.toFixed(1), 'rows/s': fmt(loaded.rows / loaded.seconds) });

    await measureSearch(db.knex, home, loaded.departments, published, requests, concurrency);
  } finally {
    await db.drop();
    await fs.rm(home, { recursive: true, force: true });
  }
}

// `node --import tsx test/bench/search.bench.ts`: this benchmark alone, on its own cluster
// (no top-level await: tests import this module for its catalogue generator)
if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  void import('../helpers/cluster.ts').then(async ({ startCluster, currentCluster }) => {
    await startCluster({ durable: true });
    try {
      await searchBench();
    } finally {
      await currentCluster().stop();
    }
  });
}
