import { expect } from 'chai';
import { readdirSync, readFileSync } from 'node:fs';
import {
  bundledSchemaOf,
  compileAll,
  CUSTOM_FORMATS,
  DOCUMENT_KINDS,
  fieldInfo,
  getAjv,
  schemaOf,
  toViolations,
  validateDocument,
  validateItems,
} from '../../server/src/schemas/validator.ts';
import type { DocumentKind, JsonSchema, Violation } from '../../server/src/schemas/validator.ts';
import { commonSchema } from '../../server/src/schemas/catalog.ts';
import {
  idCardCheckChar,
  isIdCard,
  isMobile,
  isRegionCode,
  isUscc,
  usccCheckChar,
  withIdCardCheck,
  withUsccCheck,
} from '../../server/src/lib/identifiers.ts';

// Any JSON document, mutated freely by the cases below.
type Doc = any;

const FIXTURES = new URL('../fixtures/documents/', import.meta.url);

function fixtureNames(kind: DocumentKind): string[] {
  return readdirSync(new URL(`${kind}/`, FIXTURES))
    .filter((f) => f.endsWith('.json'))
    .sort();
}

function fixture(kind: DocumentKind, name: string): Doc {
  return JSON.parse(readFileSync(new URL(`${kind}/${name}.json`, FIXTURES), 'utf8'));
}

function listViolations(vs: Violation[]): string {
  return vs.map((v) => `  ${v.path} [${v.keyword}] ${v.message}`).join('\n');
}

function expectValid(kind: DocumentKind, doc: Doc): void {
  const r = validateDocument(kind, doc);
  expect(r.ok, r.ok ? '' : `expected a valid ${kind}, got:\n${listViolations(r.violations)}`).to.equal(true);
}

function expectViolation(kind: DocumentKind, doc: Doc, path: string, keyword: string): Violation {
  const r = validateDocument(kind, doc);
  expect(r.ok, `expected ${keyword} at ${path}, but the ${kind} is valid`).to.equal(false);
  if (r.ok) throw new Error('unreachable');
  const v = r.violations.find((x) => x.path === path && x.keyword === keyword);
  expect(v, `expected ${keyword} at ${path}, got:\n${listViolations(r.violations)}`).to.not.equal(undefined);
  expect(v!.message).to.be.a('string').and.not.equal('');
  expect(v!.messageZh).to.match(/[\u4e00-\u9fff]/);
  return v!;
}

type Mutate = (doc: Doc) => void;
interface RuleCase {
  rule: string;
  kind: DocumentKind;
  base: string;
  /** makes the valid variant (default: the base fixture as is) */
  valid?: Mutate;
  invalid: Mutate;
  path: string;
  keyword: string;
  /** checks on the violation's messages */
  message?: RegExp;
  messageZh?: RegExp;
}

const itemIndex = (doc: Doc, name: string): number => {
  const i = (doc.items as { name: string }[]).findIndex((it) => it.name === name);
  if (i < 0) throw new Error(`no item ${name}`);
  return i;
};
const item = (doc: Doc, name: string): Doc => doc.items[itemIndex(doc, name)];

// Item indices in resource/business-licence.json (checked below so the paths stay honest).
const LIC = { uscc: 0, ent_name: 1, reg_capital: 3, establish_date: 4, contact_phone: 10, legal_rep_id_card: 11 };
// and in resource/social-insurance.json
const SOC = { id_card: 0, person_name: 1 };

const CASES: RuleCase[] = [
  // ---- additionalProperties ------------------------------------------------------------------
  {
    rule: 'resource: platform-assigned code is not part of the document',
    kind: 'resource',
    base: 'business-licence',
    invalid: (d) => (d.code = '1020100/000001'),
    path: '/code',
    keyword: 'additionalProperties',
    message: /"code" is not allowed/,
  },
  {
    rule: 'resource: status and publishedAt are platform-assigned too',
    kind: 'resource',
    base: 'business-licence',
    invalid: (d) => (d.publishedAt = '2024-01-01'),
    path: '/publishedAt',
    keyword: 'additionalProperties',
  },
  {
    rule: 'item: no unknown properties',
    kind: 'resource',
    base: 'business-licence',
    invalid: (d) => (d.items[LIC.reg_capital].unit = '万元'),
    path: `/items/${LIC.reg_capital}/unit`,
    keyword: 'additionalProperties',
  },
  {
    rule: 'format: no unknown properties',
    kind: 'resource',
    base: 'business-licence',
    invalid: (d) => (d.format.version = '19c'),
    path: '/format/version',
    keyword: 'additionalProperties',
  },
  {
    rule: 'volume: no unknown properties',
    kind: 'resource',
    base: 'business-licence',
    invalid: (d) => (d.volume.fields = 12),
    path: '/volume/fields',
    keyword: 'additionalProperties',
  },
  {
    rule: 'department: no unknown properties',
    kind: 'department',
    base: 'market-regulation',
    invalid: (d) => (d.id = 3),
    path: '/id',
    keyword: 'additionalProperties',
  },
  {
    rule: 'contact: no unknown properties',
    kind: 'department',
    base: 'market-regulation',
    invalid: (d) => (d.contact.wechat = 'liming'),
    path: '/contact/wechat',
    keyword: 'additionalProperties',
  },
  {
    rule: 'system: no unknown properties',
    kind: 'system',
    base: 'market-registration',
    invalid: (d) => (d.budget = 100),
    path: '/budget',
    keyword: 'additionalProperties',
  },
  {
    rule: 'system operator: no unknown properties',
    kind: 'system',
    base: 'market-registration',
    invalid: (d) => (d.operator.address = '深圳'),
    path: '/operator/address',
    keyword: 'additionalProperties',
  },
  {
    rule: 'demand: no unknown properties',
    kind: 'demand',
    base: 'licence-verification',
    invalid: (d) => (d.status = 'open'),
    path: '/status',
    keyword: 'additionalProperties',
  },
  {
    rule: 'share request: the consumer comes from the credential, not the document',
    kind: 'share-request',
    base: 'licence-query',
    invalid: (d) => (d.consumer = '11440300MB2C92371N'),
    path: '/consumer',
    keyword: 'additionalProperties',
  },
  {
    rule: 'share request period: no unknown properties',
    kind: 'share-request',
    base: 'licence-query',
    invalid: (d) => (d.period.days = 30),
    path: '/period/days',
    keyword: 'additionalProperties',
  },

  // ---- required (path is parent + property) --------------------------------------------------
  {
    rule: 'resource: summary is required',
    kind: 'resource',
    base: 'business-licence',
    invalid: (d) => delete d.summary,
    path: '/summary',
    keyword: 'required',
    message: /"summary" \(信息资源摘要\)/,
    messageZh: /缺少必填项“信息资源摘要”/,
  },
  {
    rule: 'item: label is required',
    kind: 'resource',
    base: 'business-licence',
    invalid: (d) => delete d.items[2].label,
    path: '/items/2/label',
    keyword: 'required',
  },
  {
    rule: 'format: type is required',
    kind: 'resource',
    base: 'business-licence',
    invalid: (d) => (d.format = { subtype: 'oracle' }),
    path: '/format/type',
    keyword: 'required',
  },
  {
    rule: 'department: regionCode is required',
    kind: 'department',
    base: 'market-regulation',
    invalid: (d) => delete d.regionCode,
    path: '/regionCode',
    keyword: 'required',
  },
  {
    rule: 'system: network is required',
    kind: 'system',
    base: 'market-registration',
    invalid: (d) => delete d.network,
    path: '/network',
    keyword: 'required',
  },
  {
    rule: 'demand: purpose is required',
    kind: 'demand',
    base: 'licence-verification',
    invalid: (d) => delete d.purpose,
    path: '/purpose',
    keyword: 'required',
  },
  {
    rule: 'share request: scenario is required',
    kind: 'share-request',
    base: 'licence-query',
    invalid: (d) => delete d.scenario,
    path: '/scenario',
    keyword: 'required',
  },
  {
    rule: 'share request: period kind is required',
    kind: 'share-request',
    base: 'licence-query',
    invalid: (d) => (d.period = {}),
    path: '/period/kind',
    keyword: 'required',
  },

  // ---- enums ---------------------------------------------------------------------------------
  {
    rule: 'resource shareType enum',
    kind: 'resource',
    base: 'business-licence',
    invalid: (d) => (d.shareType = 'free'),
    path: '/shareType',
    keyword: 'enum',
    message: /unconditional \(无条件共享\), conditional \(有条件共享\), none \(不予共享\); got "free"/,
    messageZh: /取值应为以下之一：unconditional（无条件共享）、conditional（有条件共享）、none（不予共享）/,
  },
  {
    rule: 'resource openType enum',
    kind: 'resource',
    base: 'business-licence',
    invalid: (d) => (d.openType = 'public'),
    path: '/openType',
    keyword: 'enum',
    message: /open \(无条件开放\)/,
  },
  {
    rule: 'resource updateCycle enum',
    kind: 'resource',
    base: 'business-licence',
    valid: (d) => (d.updateCycle = 'semiannual'),
    invalid: (d) => (d.updateCycle = '每日'),
    path: '/updateCycle',
    keyword: 'enum',
    message: /realtime \(实时\), daily \(每日\), weekly \(每周\), monthly \(每月\), quarterly \(每季度\), semiannual \(每半年\), yearly \(每年\), irregular \(不定期\)/,
  },
  {
    rule: 'resource format type enum',
    kind: 'resource',
    base: 'business-licence',
    valid: (d) => (d.format = { type: 'self_describing', subtype: 'json' }),
    invalid: (d) => (d.format.type = 'oracle'),
    path: '/format/type',
    keyword: 'enum',
    message: /database \(数据库\)/,
  },
  {
    rule: 'resource shareMethod enum',
    kind: 'resource',
    base: 'business-licence',
    valid: (d) => (d.shareMethod = 'table_exchange'),
    invalid: (d) => (d.shareMethod = 'ftp'),
    path: '/shareMethod',
    keyword: 'enum',
  },
  {
    rule: 'resource domain enum',
    kind: 'resource',
    base: 'business-licence',
    valid: (d) => (d.domain = 'credit'),
    invalid: (d) => (d.domain = '市场监管'),
    path: '/domain',
    keyword: 'enum',
    messageZh: /market（市场监管）/,
  },
  {
    rule: 'item data type enum (C N Y D T L M G B I F)',
    kind: 'resource',
    base: 'business-licence',
    valid: (d) => (d.items[LIC.establish_date].type = 'T'),
    invalid: (d) => (d.items[LIC.establish_date].type = 'DATE'),
    path: `/items/${LIC.establish_date}/type`,
    keyword: 'enum',
    message: /C \(字符型\), N \(数值型\), Y \(货币型\), D \(日期型\), T \(日期时间型\), L \(逻辑型\), M \(备注型\), G \(通用型\), B \(双精度型\), I \(整型\), F \(浮点型\)/,
  },
  {
    rule: 'item sensitivity enum',
    kind: 'resource',
    base: 'business-licence',
    valid: (d) => (d.items[LIC.ent_name].sensitivity = 'internal'),
    invalid: (d) => (d.items[LIC.ent_name].sensitivity = 'secret'),
    path: `/items/${LIC.ent_name}/sensitivity`,
    keyword: 'enum',
  },
  {
    rule: 'item mask enum',
    kind: 'resource',
    base: 'business-licence',
    valid: (d) => (d.items[LIC.contact_phone].mask = 'hash'),
    invalid: (d) => (d.items[LIC.contact_phone].mask = 'stars'),
    path: `/items/${LIC.contact_phone}/mask`,
    keyword: 'enum',
  },
  {
    rule: 'item check enum',
    kind: 'resource',
    base: 'business-licence',
    invalid: (d) => (d.items[LIC.uscc].check = 'org-code'),
    path: `/items/${LIC.uscc}/check`,
    keyword: 'enum',
  },
  {
    rule: 'item shareType enum',
    kind: 'resource',
    base: 'business-licence',
    invalid: (d) => (d.items[LIC.ent_name].shareType = 'maybe'),
    path: `/items/${LIC.ent_name}/shareType`,
    keyword: 'enum',
  },
  {
    rule: 'item openType enum',
    kind: 'resource',
    base: 'business-licence',
    invalid: (d) => (d.items[LIC.ent_name].openType = 'maybe'),
    path: `/items/${LIC.ent_name}/openType`,
    keyword: 'enum',
  },
  {
    rule: 'department kind enum',
    kind: 'department',
    base: 'market-regulation',
    invalid: (d) => (d.kind = 'bureau'),
    path: '/kind',
    keyword: 'enum',
  },
  {
    rule: 'system buildStatus enum',
    kind: 'system',
    base: 'planned-credit-platform',
    valid: (d) => (d.buildStatus = 'building'),
    invalid: (d) => (d.buildStatus = '在建'),
    path: '/buildStatus',
    keyword: 'enum',
    message: /built \(已建\), building \(在建\), planned \(拟建\)/,
  },
  {
    rule: 'system scope enum',
    kind: 'system',
    base: 'market-registration',
    valid: (d) => (d.scope = 'below_county'),
    invalid: (d) => (d.scope = 'district'),
    path: '/scope',
    keyword: 'enum',
    messageZh: /national_vertical（国家垂直）/,
  },
  {
    rule: 'system network enum',
    kind: 'system',
    base: 'market-registration',
    valid: (d) => (d.network = 'dedicated'),
    invalid: (d) => (d.network = 'intranet'),
    path: '/network',
    keyword: 'enum',
    messageZh: /gov_extranet（政务外网）、internet（互联网）、dedicated（部门专网）/,
  },
  {
    rule: 'system deployment enum',
    kind: 'system',
    base: 'market-registration',
    valid: (d) => (d.deployment = 'local'),
    invalid: (d) => (d.deployment = 'aliyun'),
    path: '/deployment',
    keyword: 'enum',
  },
  {
    rule: 'demand accessMode enum',
    kind: 'demand',
    base: 'licence-verification',
    valid: (d) => (d.accessMode = 'download'),
    invalid: (d) => (d.accessMode = 'ftp'),
    path: '/accessMode',
    keyword: 'enum',
  },
  {
    rule: 'demand updateCycle enum',
    kind: 'demand',
    base: 'household-exchange',
    invalid: (d) => (d.updateCycle = 'hourly'),
    path: '/updateCycle',
    keyword: 'enum',
  },
  {
    rule: 'share request accessMode enum (query|download|verify)',
    kind: 'share-request',
    base: 'licence-query',
    valid: (d) => (d.accessMode = 'verify'),
    invalid: (d) => (d.accessMode = 'table_exchange'),
    path: '/accessMode',
    keyword: 'enum',
    message: /query \(接口查询\), download \(批量下载\), verify \(核验\)/,
  },
  {
    rule: 'share request period kind enum',
    kind: 'share-request',
    base: 'licence-query',
    valid: (d) => (d.period = { kind: '180d' }),
    invalid: (d) => (d.period = { kind: '365d' }),
    path: '/period/kind',
    keyword: 'enum',
    message: /30d \(30 天\), 90d \(90 天\), 180d \(180 天\), long_term \(长期\), until \(截至指定日期\)/,
  },
  {
    rule: 'share request syncMode enum',
    kind: 'share-request',
    base: 'insurance-download',
    valid: (d) => (d.syncMode = 'full'),
    invalid: (d) => (d.syncMode = 'delta'),
    path: '/syncMode',
    keyword: 'enum',
  },

  // ---- numbers ------------------------------------------------------------------------------
  {
    rule: 'system protection level is 1–5 (upper bound)',
    kind: 'system',
    base: 'market-registration',
    valid: (d) => (d.protectionLevel = 5),
    invalid: (d) => (d.protectionLevel = 6),
    path: '/protectionLevel',
    keyword: 'maximum',
  },
  {
    rule: 'system protection level is 1–5 (lower bound)',
    kind: 'system',
    base: 'market-registration',
    valid: (d) => (d.protectionLevel = 1),
    invalid: (d) => (d.protectionLevel = 0),
    path: '/protectionLevel',
    keyword: 'minimum',
  },
  {
    rule: 'system protection level is an integer',
    kind: 'system',
    base: 'market-registration',
    invalid: (d) => (d.protectionLevel = 2.5),
    path: '/protectionLevel',
    keyword: 'type',
    messageZh: /应为整数/,
  },
  {
    rule: 'share request expected call rate is a positive integer',
    kind: 'share-request',
    base: 'licence-query',
    invalid: (d) => (d.expectedCallRate = 0),
    path: '/expectedCallRate',
    keyword: 'minimum',
  },
  {
    rule: 'resource sourceSystem is a system id (integer)',
    kind: 'resource',
    base: 'business-licence',
    invalid: (d) => (d.sourceSystem = '商事主体登记注册系统'),
    path: '/sourceSystem',
    keyword: 'type',
  },

  // ---- custom formats and patterns ------------------------------------------------------------
  {
    rule: 'format uscc: provider with a wrong check character',
    kind: 'resource',
    base: 'business-licence',
    valid: (d) => (d.provider = withUsccCheck('11440300007543123')),
    invalid: (d) => (d.provider = '11440300007542817A'),
    path: '/provider',
    keyword: 'format',
    message: /wrong check character: expected G/,
    messageZh: /校验位错误，应为 G/,
  },
  {
    rule: 'format uscc: department code of the wrong length',
    kind: 'department',
    base: 'market-regulation',
    invalid: (d) => (d.uscc = '11440300007542817'),
    path: '/uscc',
    keyword: 'format',
    messageZh: /长度为 17 位，应为 18 位/,
  },
  {
    rule: 'format region-code',
    kind: 'department',
    base: 'market-regulation',
    valid: (d) => (d.regionCode = '440305001000'),
    invalid: (d) => (d.regionCode = '990000'),
    path: '/regionCode',
    keyword: 'format',
  },
  {
    rule: 'format mobile',
    kind: 'department',
    base: 'market-regulation',
    valid: (d) => (d.contact.mobile = '19912345678'),
    invalid: (d) => (d.contact.mobile = '12012345678'),
    path: '/contact/mobile',
    keyword: 'format',
    messageZh: /手机号码/,
  },
  {
    rule: 'landline pattern',
    kind: 'department',
    base: 'market-regulation',
    invalid: (d) => (d.contact.phone = '83070000 转 1'),
    path: '/contact/phone',
    keyword: 'pattern',
  },
  {
    rule: 'format email',
    kind: 'department',
    base: 'market-regulation',
    invalid: (d) => (d.contact.email = 'liming at amr.sz.gov.cn'),
    path: '/contact/email',
    keyword: 'format',
  },
  {
    rule: 'format uri',
    kind: 'department',
    base: 'market-regulation',
    invalid: (d) => (d.website = 'amr.sz.gov.cn'),
    path: '/website',
    keyword: 'format',
  },
  {
    rule: 'format date (launch date)',
    kind: 'system',
    base: 'market-registration',
    invalid: (d) => (d.launchedAt = '2013-02-30'),
    path: '/launchedAt',
    keyword: 'format',
  },
  {
    rule: 'format date (period end)',
    kind: 'share-request',
    base: 'insurance-download',
    invalid: (d) => (d.period.until = '2026/12/31'),
    path: '/period/until',
    keyword: 'format',
  },
  {
    rule: 'format regex (item pattern)',
    kind: 'resource',
    base: 'business-licence',
    valid: (d) => (d.items[LIC.uscc].pattern = '^[0-9A-Z]{18}$'),
    invalid: (d) => (d.items[LIC.uscc].pattern = '^[0-9A-Z{18}$('),
    path: `/items/${LIC.uscc}/pattern`,
    keyword: 'format',
  },
  {
    rule: 'category is a classification code (digits, class 1–3)',
    kind: 'resource',
    base: 'business-licence',
    valid: (d) => (d.category = '3070220400031'),
    invalid: (d) => (d.category = '9A01'),
    path: '/category',
    keyword: 'pattern',
  },
  {
    rule: 'item name is a field name',
    kind: 'resource',
    base: 'business-licence',
    invalid: (d) => (d.items[LIC.ent_name].name = 'EntName'),
    path: `/items/${LIC.ent_name}/name`,
    keyword: 'pattern',
  },
  {
    rule: 'related resource codes look like category/sequence',
    kind: 'resource',
    base: 'business-licence',
    invalid: (d) => (d.related = ['1020100-000002']),
    path: '/related/0',
    keyword: 'pattern',
  },
  {
    rule: 'demand resourceCode pattern',
    kind: 'demand',
    base: 'licence-verification',
    invalid: (d) => (d.resourceCode = '1020100/1'),
    path: '/resourceCode',
    keyword: 'pattern',
  },
  {
    rule: 'share request items are field names',
    kind: 'share-request',
    base: 'licence-query',
    invalid: (d) => (d.items = ['uscc', '企业名称']),
    path: '/items/1',
    keyword: 'pattern',
  },
  {
    rule: 'format uscc: demand requester',
    kind: 'demand',
    base: 'licence-verification',
    invalid: (d) => (d.requester = '11440300MB2C92371n'),
    path: '/requester',
    keyword: 'format',
    messageZh: /字母须大写/,
  },
  {
    rule: 'format uscc: system operator',
    kind: 'system',
    base: 'market-registration',
    invalid: (d) => (d.operator.uscc = '91440300MA5DKW3R1O'),
    path: '/operator/uscc',
    keyword: 'format',
  },

  // ---- arrays --------------------------------------------------------------------------------
  {
    rule: 'resource needs at least one item',
    kind: 'resource',
    base: 'business-licence',
    invalid: (d) => (d.items = []),
    path: '/items',
    keyword: 'minItems',
  },
  {
    rule: 'item names are unique within a resource',
    kind: 'resource',
    base: 'business-licence',
    valid: (d) => (d.items[LIC.reg_capital].name = 'reg_capital_wan'),
    invalid: (d) => (d.items[LIC.reg_capital].name = 'uscc'),
    path: `/items/${LIC.reg_capital}/name`,
    keyword: 'x-unique-by',
    message: /"uscc" is used more than once \(first at \/items\/0\/name\)/,
    messageZh: /重复（与 \/items\/0\/name 相同）/,
  },
  {
    rule: 'tags are unique (path of the duplicate)',
    kind: 'resource',
    base: 'business-licence',
    invalid: (d) => d.tags.push('市场主体'),
    path: '/tags/3',
    keyword: 'uniqueItems',
  },
  {
    rule: 'share request items are unique',
    kind: 'share-request',
    base: 'licence-query',
    invalid: (d) => d.items.push('uscc'),
    path: '/items/4',
    keyword: 'uniqueItems',
  },
  {
    rule: 'demand needs at least one data item',
    kind: 'demand',
    base: 'licence-verification',
    invalid: (d) => (d.items = []),
    path: '/items',
    keyword: 'minItems',
  },

  // ---- resource conditional rules -------------------------------------------------------------
  {
    rule: 'shareCondition is required when shareType is conditional',
    kind: 'resource',
    base: 'social-insurance',
    invalid: (d) => delete d.shareCondition,
    path: '/shareCondition',
    keyword: 'required',
    message: /a conditional share needs a share condition/,
    messageZh: /^有条件共享须填写共享条件：缺少必填项“共享条件”（shareCondition）/,
  },
  {
    rule: 'shareBasis (不予共享依据) is required when shareType is none',
    kind: 'resource',
    base: 'mental-health',
    invalid: (d) => delete d.shareBasis,
    path: '/shareBasis',
    keyword: 'required',
    messageZh: /不予共享须提供法律法规或政策依据/,
  },
  {
    rule: 'shareType none forces openType closed',
    kind: 'resource',
    base: 'mental-health',
    invalid: (d) => {
      d.openType = 'conditional';
      d.openCondition = '科研机构申请';
      d.domain = 'health';
    },
    path: '/openType',
    keyword: 'const',
    message: /must be closed \(不予开放\), got "conditional"/,
  },
  {
    rule: 'shareMethod is required when the resource is shared',
    kind: 'resource',
    base: 'social-insurance',
    invalid: (d) => delete d.shareMethod,
    path: '/shareMethod',
    keyword: 'required',
  },
  {
    rule: 'openCondition is required when openType is conditional',
    kind: 'resource',
    base: 'bus-stops',
    invalid: (d) => delete d.openCondition,
    path: '/openCondition',
    keyword: 'required',
    messageZh: /有条件开放须填写开放条件/,
  },
  {
    rule: 'domain is required when the resource is open',
    kind: 'resource',
    base: 'business-licence',
    valid: (d) => {
      delete d.domain;
      d.openType = 'closed';
      d.items[LIC.contact_phone].openType = 'closed';
    },
    invalid: (d) => delete d.domain,
    path: '/domain',
    keyword: 'required',
  },
  {
    rule: 'a personal item needs a mask when the resource is open',
    kind: 'resource',
    base: 'business-licence',
    invalid: (d) => delete d.items[LIC.contact_phone].mask,
    path: `/items/${LIC.contact_phone}/mask`,
    keyword: 'required',
    messageZh: /个人信息类信息项须设置脱敏规则/,
  },
  {
    rule: 'a personal item needs a mask when the resource is conditionally open',
    kind: 'resource',
    base: 'bus-stops',
    valid: (d) => d.items.push({ name: 'driver_mobile', label: '驾驶员手机', type: 'C', sensitivity: 'personal', mask: 'mobile' }),
    invalid: (d) => d.items.push({ name: 'driver_mobile', label: '驾驶员手机', type: 'C', sensitivity: 'personal' }),
    path: '/items/7/mask',
    keyword: 'required',
  },
  {
    rule: 'a personal item declared closed needs no mask in an open resource',
    kind: 'resource',
    base: 'business-licence',
    valid: (d) => {
      delete d.items[LIC.contact_phone].mask;
      d.items[LIC.contact_phone].openType = 'closed';
    },
    invalid: (d) => {
      delete d.items[LIC.contact_phone].mask;
      d.items[LIC.contact_phone].openType = 'open';
    },
    path: `/items/${LIC.contact_phone}/mask`,
    keyword: 'required',
  },
  {
    rule: 'personal items of a closed resource need no mask',
    kind: 'resource',
    base: 'social-insurance',
    valid: (d) => expect(d.items[SOC.person_name].mask).to.equal(undefined),
    invalid: (d) => {
      d.openType = 'open';
      d.domain = 'social_security';
    },
    path: `/items/${SOC.id_card}/mask`,
    keyword: 'required',
  },
  {
    rule: "an item's shareType is not looser than a conditional resource's",
    kind: 'resource',
    base: 'social-insurance',
    valid: (d) => (d.items[SOC.person_name].shareType = 'none'),
    invalid: (d) => (d.items[SOC.person_name].shareType = 'unconditional'),
    path: `/items/${SOC.person_name}/shareType`,
    keyword: 'enum',
    messageZh: /信息项的共享类型不得比信息资源更宽松/,
  },
  {
    rule: "an item's shareType is none when the resource is not shared",
    kind: 'resource',
    base: 'mental-health',
    valid: (d) => (d.items[0].shareType = 'none'),
    invalid: (d) => (d.items[0].shareType = 'conditional'),
    path: '/items/0/shareType',
    keyword: 'const',
  },
  {
    rule: "an item's openType is not looser than a conditionally open resource's",
    kind: 'resource',
    base: 'bus-stops',
    valid: (d) => (d.items[0].openType = 'closed'),
    invalid: (d) => (d.items[0].openType = 'open'),
    path: '/items/0/openType',
    keyword: 'enum',
  },
  {
    rule: "an item's openType is closed when the resource is closed",
    kind: 'resource',
    base: 'social-insurance',
    valid: (d) => (d.items[2].openType = 'closed'),
    invalid: (d) => (d.items[2].openType = 'open'),
    path: '/items/2/openType',
    keyword: 'const',
    messageZh: /信息项的开放属性不得比信息资源更宽松/,
  },

  // ---- item rules ----------------------------------------------------------------------------
  {
    rule: 'an identifier check applies to C items only',
    kind: 'resource',
    base: 'business-licence',
    invalid: (d) => (d.items[LIC.uscc].type = 'M'),
    path: `/items/${LIC.uscc}/type`,
    keyword: 'const',
    messageZh: /只有字符型（C）信息项可以设置标识校验/,
  },
  {
    rule: 'scale applies to N items only',
    kind: 'resource',
    base: 'business-licence',
    invalid: (d) => (d.items[LIC.reg_capital].type = 'Y'),
    path: `/items/${LIC.reg_capital}/type`,
    keyword: 'const',
  },
  {
    rule: 'scale needs a length',
    kind: 'resource',
    base: 'business-licence',
    invalid: (d) => delete d.items[LIC.reg_capital].length,
    path: `/items/${LIC.reg_capital}/length`,
    keyword: 'required',
  },
  {
    rule: 'scale does not exceed length',
    kind: 'resource',
    base: 'business-licence',
    valid: (d) => (d.items[LIC.reg_capital].scale = 18),
    invalid: (d) => (d.items[LIC.reg_capital].scale = 19),
    path: `/items/${LIC.reg_capital}/scale`,
    keyword: 'x-lte',
    messageZh: /“小数位数”（scale）（19）不能大于“数据长度”（length）（18）/,
  },
  {
    rule: 'minimum does not exceed maximum',
    kind: 'resource',
    base: 'social-insurance',
    invalid: (d) => (d.items[6].minimum = 2000),
    path: '/items/6/minimum',
    keyword: 'x-lte',
  },
  {
    rule: 'a key item cannot be optional',
    kind: 'resource',
    base: 'business-licence',
    valid: (d) => delete d.items[LIC.uscc].required,
    invalid: (d) => (d.items[LIC.uscc].required = false),
    path: `/items/${LIC.uscc}/required`,
    keyword: 'const',
  },
  {
    rule: 'an item that is not shared cannot be opened',
    kind: 'resource',
    base: 'social-insurance',
    valid: (d) => (d.items[SOC.person_name].shareType = 'none'),
    invalid: (d) => {
      d.items[SOC.person_name].shareType = 'none';
      d.items[SOC.person_name].openType = 'conditional';
    },
    path: `/items/${SOC.person_name}/openType`,
    keyword: 'const',
  },
  {
    rule: 'shared and open record counts do not exceed the total',
    kind: 'resource',
    base: 'business-licence',
    invalid: (d) => (d.volume.sharedRecords = 4200001),
    path: '/volume/sharedRecords',
    keyword: 'x-lte',
  },

  // ---- department rules ----------------------------------------------------------------------
  {
    rule: 'a contact has a mobile or a landline',
    kind: 'department',
    base: 'big-data-center',
    valid: (d) => (d.contact = { name: '陈晓红', mobile: '13600001111' }),
    invalid: (d) => (d.contact = { name: '陈晓红', email: 'chenxh@sz.gov.cn' }),
    path: '/contact',
    keyword: 'anyOf',
    message: /at least one of: mobile \(手机号码\), phone \(办公电话\)/,
    messageZh: /须至少填写以下一项：手机号码（mobile）、办公电话（phone）/,
  },
  {
    rule: 'a government department has a USCC starting with 11',
    kind: 'department',
    base: 'market-regulation',
    valid: (d) => (d.kind = 'party'),
    invalid: (d) => (d.uscc = '12440300455755193F'),
    path: '/uscc',
    keyword: 'pattern',
    messageZh: /党政机关的统一社会信用代码以 11 开头/,
  },
  {
    rule: 'a public institution has a USCC starting with 12',
    kind: 'department',
    base: 'big-data-center',
    valid: (d) => (d.kind = 'other'),
    invalid: (d) => (d.kind = 'government'),
    path: '/uscc',
    keyword: 'pattern',
  },
  {
    rule: 'a public institution: 11… is not a valid code',
    kind: 'department',
    base: 'big-data-center',
    invalid: (d) => (d.uscc = '11440300MB2C92371N'),
    path: '/uscc',
    keyword: 'pattern',
  },
  {
    rule: 'format uscc: parent department',
    kind: 'department',
    base: 'big-data-center',
    invalid: (d) => (d.parent = '11440300MB2C92371M'),
    path: '/parent',
    keyword: 'format',
  },

  // ---- system rules ---------------------------------------------------------------------------
  {
    rule: 'a built system needs its launch date',
    kind: 'system',
    base: 'market-registration',
    invalid: (d) => delete d.launchedAt,
    path: '/launchedAt',
    keyword: 'required',
    messageZh: /已建系统须填写启用时间/,
  },
  {
    rule: 'a planned system needs no launch date',
    kind: 'system',
    base: 'planned-credit-platform',
    invalid: (d) => (d.buildStatus = 'built'),
    path: '/launchedAt',
    keyword: 'required',
  },
  {
    rule: 'only a built system can be flagged as unused (僵尸系统)',
    kind: 'system',
    base: 'planned-credit-platform',
    valid: (d) => (d.zombie = false),
    invalid: (d) => (d.zombie = true),
    path: '/buildStatus',
    keyword: 'const',
  },
  {
    rule: 'a classified system cannot run on the internet',
    kind: 'system',
    base: 'market-registration',
    valid: (d) => (d.classified = true),
    invalid: (d) => {
      d.classified = true;
      d.network = 'internet';
    },
    path: '/network',
    keyword: 'not',
    message: /must not be internet \(互联网\)/,
    messageZh: /涉密信息系统不得承载于互联网/,
  },
  {
    rule: 'a non-classified system may run on the internet',
    kind: 'system',
    base: 'market-registration',
    valid: (d) => (d.network = 'internet'),
    invalid: (d) => (d.network = ['internet']),
    path: '/network',
    keyword: 'type',
  },

  // ---- demand rules --------------------------------------------------------------------------
  {
    rule: 'a table exchange demand needs an expected update frequency',
    kind: 'demand',
    base: 'household-exchange',
    invalid: (d) => delete d.updateCycle,
    path: '/updateCycle',
    keyword: 'required',
  },
  {
    rule: 'a verification demand needs no update frequency',
    kind: 'demand',
    base: 'licence-verification',
    invalid: (d) => (d.accessMode = 'table_exchange'),
    path: '/updateCycle',
    keyword: 'required',
  },

  // ---- share request rules -------------------------------------------------------------------
  {
    rule: 'period kind until needs the end date',
    kind: 'share-request',
    base: 'insurance-download',
    invalid: (d) => delete d.period.until,
    path: '/period/until',
    keyword: 'required',
  },
  {
    rule: 'an end date is only allowed with period kind until',
    kind: 'share-request',
    base: 'licence-query',
    valid: (d) => (d.period = { kind: 'until', until: '2025-06-30' }),
    invalid: (d) => (d.period = { kind: '90d', until: '2025-06-30' }),
    path: '/period/until',
    keyword: 'false schema',
    message: /not allowed here/,
    messageZh: /此处不允许填写“截止日期”/,
  },
  {
    rule: 'a share request needs at least one item',
    kind: 'share-request',
    base: 'licence-query',
    invalid: (d) => (d.items = []),
    path: '/items',
    keyword: 'minItems',
  },
];

describe('catalog schemas', () => {
  before(() => compileAll());

  describe('fixtures', () => {
    for (const kind of DOCUMENT_KINDS) {
      it(`has valid fixtures for ${kind}`, () => {
        const names = fixtureNames(kind);
        expect(names.length).to.be.greaterThan(0);
        for (const f of names) expectValid(kind, fixture(kind, f.replace(/\.json$/, '')));
      });
    }

    it('fixture item indices used by the cases are right', () => {
      const lic = fixture('resource', 'business-licence');
      for (const [name, i] of Object.entries(LIC)) expect(itemIndex(lic, name), name).to.equal(i);
      const soc = fixture('resource', 'social-insurance');
      for (const [name, i] of Object.entries(SOC)) expect(itemIndex(soc, name), name).to.equal(i);
      expect(item(soc, 'months_paid').maximum).to.equal(1200);
      expect(soc.items[2].name).to.equal('employer_uscc');
      expect(lic.tags).to.have.length(3);
    });

    it('returns the document as value when valid', () => {
      const doc = fixture('resource', 'business-licence');
      const r = validateDocument('resource', doc);
      expect(r.ok).to.equal(true);
      if (r.ok) {
        expect(r.value).to.equal(doc);
        expect(r.value.items[0].name).to.equal('uscc');
      }
    });
  });

  describe('rules: one valid and one invalid case each', () => {
    for (const c of CASES) {
      describe(c.rule, () => {
        it('accepts the valid case', () => {
          const doc = fixture(c.kind, c.base);
          c.valid?.(doc);
          expectValid(c.kind, doc);
        });
        it(`rejects the invalid case with ${c.keyword} at ${c.path}`, () => {
          const doc = fixture(c.kind, c.base);
          c.invalid(doc);
          const v = expectViolation(c.kind, doc, c.path, c.keyword);
          if (c.message) expect(v.message).to.match(c.message);
          if (c.messageZh) expect(v.messageZh).to.match(c.messageZh);
        });
      });
    }
  });

  describe('violations', () => {
    it('reports every violation at once (allErrors)', () => {
      const doc = fixture('resource', 'business-licence');
      doc.shareType = 'conditional'; // no shareCondition
      doc.updateCycle = 'hourly';
      doc.items[1].type = 'S';
      const r = validateDocument('resource', doc);
      expect(r.ok).to.equal(false);
      if (r.ok) return;
      const found = r.violations.map((v) => `${v.path} ${v.keyword}`);
      expect(found).to.include.members(['/shareCondition required', '/updateCycle enum', '/items/1/type enum']);
      // the item shareType of contact_phone (conditional) is not looser than conditional: no other violations
      expect(found).to.have.length(3);
    });

    it('does not report the if/then bookkeeping errors of Ajv', () => {
      const doc = fixture('resource', 'social-insurance');
      delete doc.shareCondition;
      const r = validateDocument('resource', doc);
      expect(r.ok).to.equal(false);
      if (!r.ok) expect(r.violations.map((v) => v.keyword)).to.deep.equal(['required']);
    });

    it('carries the Ajv params', () => {
      const doc = fixture('resource', 'business-licence');
      doc.openType = 'public';
      const r = validateDocument('resource', doc);
      if (r.ok) throw new Error('expected a violation');
      const v = r.violations.find((x) => x.path === '/openType')!;
      expect(v.params.allowedValues).to.deep.equal(['open', 'conditional', 'closed']);
    });

    it('escapes JSON pointer segments of unknown properties', () => {
      const doc = fixture('department', 'market-regulation');
      doc['a/b~c'] = 1;
      expectViolation('department', doc, '/a~1b~0c', 'additionalProperties');
    });

    it('rejects non-objects', () => {
      expectViolation('resource', [], '', 'type');
      expectViolation('share-request', null, '', 'type');
    });

    it('throws on an unknown document kind', () => {
      expect(() => validateDocument('dataset' as DocumentKind, {})).to.throw(/unknown document kind/);
    });

  });

  describe('validateItems', () => {
    it('accepts the items of a fixture', () => {
      const r = validateItems(fixture('resource', 'business-licence').items);
      expect(r.ok).to.equal(true);
    });
    it('reports duplicate names relative to the array', () => {
      const r = validateItems([
        { name: 'uscc', label: '统一社会信用代码', type: 'C', check: 'uscc' },
        { name: 'uscc', label: '统一社会信用代码', type: 'C' },
      ]);
      expect(r.ok).to.equal(false);
      if (!r.ok) {
        expect(r.violations[0]).to.include({ path: '/1/name', keyword: 'x-unique-by' });
        expect(r.violations[0].messageZh).to.contain('字段名');
      }
    });
    it('reports item rules with their titles', () => {
      const r = validateItems([{ name: 'amount', label: '金额', type: 'C', scale: 2, length: 10 }]);
      expect(r.ok).to.equal(false);
      if (!r.ok) {
        const v = r.violations.find((x) => x.path === '/0/type');
        expect(v?.keyword).to.equal('const');
        expect(v?.messageZh).to.contain('数据类型');
      }
    });
  });

  describe('custom formats', () => {
    const cases: Record<string, { valid: string[]; invalid: string[] }> = {
      uscc: { valid: ['11440300007542817G', '91350100M000100Y43'], invalid: ['11440300007542817A', '91350100M000100Y4', 'abc'] },
      'id-card': { valid: ['11010519491231002X', '440305199003071236'], invalid: ['110105194912310021', withIdCardCheck('11010519490230002')] },
      'region-code': { valid: ['440305', '440305001001'], invalid: ['990000', '44030', '4403050'] },
      mobile: { valid: ['13800138000', '19912345678'], invalid: ['12345678901', '1380013800', '+8613800138000'] },
    };
    for (const [format, { valid, invalid }] of Object.entries(cases)) {
      it(`${format}: accepts valid and rejects invalid values`, () => {
        const validate = getAjv().compile({ type: 'string', format });
        for (const v of valid) expect(validate(v), v).to.equal(true);
        for (const v of invalid) expect(validate(v), v).to.equal(false);
      });
    }
    it('are the four checked identifiers', () => {
      expect(Object.keys(CUSTOM_FORMATS).sort()).to.deep.equal(['id-card', 'mobile', 'region-code', 'uscc']);
    });
    it('explain why an id card or a credit code is invalid', () => {
      const validate = getAjv().compile({ type: 'object', properties: { id: { type: 'string', format: 'id-card' } } });
      expect(validate({ id: withIdCardCheck('11010519490230002') })).to.equal(false);
      const [v] = toViolations(validate.errors ?? [], () => ({}));
      expect(v).to.include({ path: '/id', keyword: 'format' });
      expect(v.message).to.contain('invalid birth date 19490230');
      expect(v.messageZh).to.contain('出生日期 19490230 无效');
      expect(validate({ id: '110105194912310021' })).to.equal(false);
      expect(toViolations(validate.errors ?? [], () => ({}))[0].message).to.contain('wrong check digit: expected X');
      expect(validate({ id: withIdCardCheck('99010519491231002') })).to.equal(false);
      expect(toViolations(validate.errors ?? [], () => ({}))[0].messageZh).to.contain('前 6 位行政区划代码无效');
    });
  });

  describe('the schema files', () => {
    const files: [string, JsonSchema][] = [['common', commonSchema()], ...DOCUMENT_KINDS.map((k) => [k, schemaOf(k)] as [string, JsonSchema])];
    const commonDefs = commonSchema().$defs as Record<string, JsonSchema>;
    const resolveRef = (s: JsonSchema): JsonSchema | undefined => {
      if (typeof s.$ref !== 'string') return s;
      const name = /\$defs\/([^/]+)$/.exec(s.$ref)?.[1];
      return name ? commonDefs[name] : undefined;
    };

    /** Visits every property schema and $defs entry (not the rule subschemas of if/then/else). */
    function visitDeclared(schema: JsonSchema, at: string, fn: (s: JsonSchema, at: string) => void): void {
      const props = schema.properties as Record<string, JsonSchema> | undefined;
      for (const [k, v] of Object.entries(props ?? {})) {
        fn(v, `${at}/properties/${k}`);
        visitDeclared(v, `${at}/properties/${k}`, fn);
      }
      const defs = schema.$defs as Record<string, JsonSchema> | undefined;
      for (const [k, v] of Object.entries(defs ?? {})) {
        fn(v, `${at}/$defs/${k}`);
        visitDeclared(v, `${at}/$defs/${k}`, fn);
      }
      if (schema.items && typeof schema.items === 'object') visitDeclared(schema.items as JsonSchema, `${at}/items`, fn);
    }

    it('are draft 2020-12 with https://odx.gov.cn/schemas/ ids', () => {
      for (const [name, s] of files) {
        expect(s.$schema).to.equal('https://json-schema.org/draft/2020-12/schema');
        expect(s.$id).to.equal(`https://odx.gov.cn/schemas/${name}.schema.json`);
      }
    });

    it('give every property and definition a Chinese title and a description', () => {
      const missing: string[] = [];
      for (const [name, s] of files) {
        visitDeclared(s, name, (v, at) => {
          const target = resolveRef(v) ?? {};
          const title = (v.title ?? target.title) as string | undefined;
          const description = (v.description ?? target.description) as string | undefined;
          if (!title || !/[\u4e00-\u9fff]/.test(title)) missing.push(`${at}: title`);
          if (!description || !/[\u4e00-\u9fff]/.test(description)) missing.push(`${at}: description`);
        });
      }
      expect(missing).to.deep.equal([]);
    });

    it('label every enum value in Chinese (x-labels)', () => {
      const problems: string[] = [];
      for (const [name, s] of files) {
        visitDeclared(s, name, (v, at) => {
          if (!Array.isArray(v.enum)) return;
          const labels = v['x-labels'] as Record<string, string> | undefined;
          if (!labels) return void problems.push(`${at}: no x-labels`);
          expect(Object.keys(labels), at).to.deep.equal((v.enum as unknown[]).map(String));
        });
      }
      expect(problems).to.deep.equal([]);
    });

    it('close every object (additionalProperties: false)', () => {
      const open: string[] = [];
      for (const [name, s] of files) {
        if (name !== 'common' && s.additionalProperties !== false) open.push(name);
        visitDeclared(s, name, (v, at) => {
          if (v.type === 'object' && v.additionalProperties !== false) open.push(at);
        });
      }
      expect(open).to.deep.equal([]);
    });

    it('only require properties that the object declares (the check Ajv strictRequired cannot do across if/then)', () => {
      const undeclared: string[] = [];
      for (const kind of DOCUMENT_KINDS) {
        const root = bundledSchemaOf(kind);
        const defs = root.$defs as Record<string, JsonSchema>;
        const seen = new Set<string>();
        const walk = (s: JsonSchema, path: string, at: string): void => {
          if (typeof s.$ref === 'string') {
            const name = /^#\/\$defs\/(.+)$/.exec(s.$ref)?.[1];
            const key = `${name}@${path}`;
            if (name && !seen.has(key)) {
              seen.add(key);
              walk(defs[name], path, `#/$defs/${name}`);
            }
          }
          if (Array.isArray(s.required)) {
            const declared = (fieldInfo(kind, path).schema?.properties ?? {}) as object;
            for (const r of s.required as string[]) if (!Object.hasOwn(declared, r)) undeclared.push(`${kind} ${at}: ${r}`);
          }
          for (const k of ['if', 'then', 'else', 'not'] as const) if (s[k] && typeof s[k] === 'object') walk(s[k] as JsonSchema, path, `${at}/${k}`);
          for (const k of ['allOf', 'anyOf', 'oneOf'] as const) {
            if (Array.isArray(s[k])) (s[k] as JsonSchema[]).forEach((b, i) => walk(b, path, `${at}/${k}/${i}`));
          }
          for (const [p, v] of Object.entries((s.properties ?? {}) as Record<string, JsonSchema>)) {
            if (v && typeof v === 'object') walk(v, `${path}/${p}`, `${at}/properties/${p}`);
          }
          if (s.items && typeof s.items === 'object') walk(s.items as JsonSchema, `${path}/0`, `${at}/items`);
        };
        walk(root, '', '#');
      }
      expect(undeclared).to.deep.equal([]);
    });

    it('attach x-message only to if/then rules, in both languages', () => {
      const bad: string[] = [];
      const walk = (node: unknown, at: string): void => {
        if (!node || typeof node !== 'object') return;
        const obj = node as JsonSchema;
        if ('x-message' in obj) {
          const m = obj['x-message'] as Record<string, unknown>;
          if (typeof m.zh !== 'string' || typeof m.en !== 'string' || !('if' in obj)) bad.push(at);
        }
        for (const [k, v] of Object.entries(obj)) walk(v, `${at}/${k}`);
      };
      for (const [name, s] of files) walk(s, name);
      expect(bad).to.deep.equal([]);
    });

    it('bundle into self-contained schemas', () => {
      for (const kind of DOCUMENT_KINDS) {
        const text = JSON.stringify(bundledSchemaOf(kind));
        expect(text, kind).not.to.contain('common.schema.json');
      }
      const defs = bundledSchemaOf('resource').$defs as Record<string, JsonSchema>;
      expect(defs).to.have.property('item');
      expect(defs).to.have.property('shareType');
      expect(defs).not.to.have.property('buildStatus');
    });

    it('expose titles and labels by JSON pointer', () => {
      expect(fieldInfo('resource', '/items/3/type')).to.deep.include({ title: '数据类型' });
      expect(fieldInfo('resource', '/items/3/type').labels).to.include({ C: '字符型', N: '数值型', I: '整型' });
      expect(fieldInfo('resource', '/provider').title).to.equal('信息资源提供方代码');
      expect(fieldInfo('resource', '/updateCycle').labels).to.include({ quarterly: '每季度' });
      expect(fieldInfo('system', '/scope').labels).to.include({ below_county: '覆盖到县以下' });
      expect(fieldInfo('share-request', '/period/until').title).to.equal('截止日期');
      expect(fieldInfo('resource', '/nope')).to.deep.equal({});
    });

    it('are frozen (schemaOf hands out the shared object)', () => {
      expect(Object.isFrozen(schemaOf('resource'))).to.equal(true);
    });
  });
});

describe('identifiers (server/src/lib/identifiers.ts)', () => {
  describe('统一社会信用代码 (GB 32100)', () => {
    it('accepts valid codes', () => {
      for (const c of ['11440300007542817G', '12440300455755193F', '91440300MA5DKW3R1D', '91350100M000100Y43', '114403000075442887']) {
        expect(isUscc(c), c).to.equal(true);
      }
    });
    it('rejects a wrong check character', () => {
      expect(isUscc('11440300007542817H')).to.equal(false);
      expect(isUscc('91350100M000100Y44')).to.equal(false);
    });
    it('rejects lower case, wrong lengths and characters outside the code set', () => {
      expect(isUscc('91440300ma5dkw3r1d')).to.equal(false);
      expect(isUscc('11440300007542817')).to.equal(false);
      expect(isUscc('11440300007542817GG')).to.equal(false);
      expect(isUscc('9144030OMA5DKW3R1D')).to.equal(false); // O in the region part
      expect(isUscc('91440300MA5DKW3RID')).to.equal(false); // I is not used
      expect(isUscc('')).to.equal(false);
    });
    it('computes the check character', () => {
      expect(usccCheckChar('11440300007542817')).to.equal('G');
      expect(usccCheckChar('9135010OM000100Y4')).to.equal(null);
      expect(withUsccCheck('91350100M000100Y4')).to.equal('91350100M000100Y43');
      expect(() => withUsccCheck('91350100M000100Z4')).to.throw(/not a USCC prefix/);
    });
  });

  describe('居民身份证号码 (GB 11643)', () => {
    it('accepts valid numbers, with X as check character', () => {
      expect(isIdCard('11010519491231002X')).to.equal(true);
      expect(isIdCard('440305199003071236')).to.equal(true);
      expect(isIdCard(withIdCardCheck('44030520000229001'))).to.equal(true); // leap day
    });
    it('rejects a wrong check digit', () => {
      expect(isIdCard('110105194912310021')).to.equal(false);
      expect(idCardCheckChar('11010519491231002')).to.equal('X');
    });
    it('rejects an impossible birth date even with a matching check digit', () => {
      expect(isIdCard(withIdCardCheck('11010519490230002'))).to.equal(false); // 30 February
      expect(isIdCard(withIdCardCheck('44030519990229001'))).to.equal(false); // 1999 is no leap year
      expect(isIdCard(withIdCardCheck('44030518991231001'))).to.equal(false); // before 1900
      expect(isIdCard(withIdCardCheck('44030519901301001'))).to.equal(false); // month 13
    });
    it('rejects an invalid region, lower-case x and wrong lengths', () => {
      expect(isIdCard(withIdCardCheck('99010519491231002'))).to.equal(false);
      expect(isIdCard('11010519491231002x')).to.equal(false);
      expect(isIdCard('11010519491231002')).to.equal(false);
      expect(isIdCard('110105491231002')).to.equal(false); // old 15-digit numbers are not accepted
    });
  });

  describe('行政区划代码 (GB/T 2260)', () => {
    it('accepts 6- and 12-digit codes of valid provinces', () => {
      for (const c of ['110000', '440300', '440305', '650102', '810000', '440305001001']) expect(isRegionCode(c), c).to.equal(true);
    });
    it('rejects unknown provinces and wrong lengths', () => {
      for (const c of ['990000', '100000', '44030', '4403050', '44030500100', 'abcdef', '']) expect(isRegionCode(c), c).to.equal(false);
    });
  });

  describe('mobile numbers', () => {
    it('accepts 11 digits starting with 13–19', () => {
      for (const m of ['13800138000', '15012345678', '19912345678']) expect(isMobile(m), m).to.equal(true);
    });
    it('rejects other numbers', () => {
      for (const m of ['12345678901', '1380013800', '138001380001', '+8613800138000', '0755-83070000', '']) {
        expect(isMobile(m), m).to.equal(false);
      }
    });
  });
});
