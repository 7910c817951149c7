import type { Knex } from 'knex';
import type { Actor } from '../audit/chain.ts';
import type { Config } from '../config.ts';
import { notifyChainer } from '../audit/chainer.ts';
import { runCommand } from '../audit/command.ts';
import { demandCloser, demandLinker } from '../census/demands/commands.ts';
import { documentCreator, documentUpdater } from '../census/documents/commands.ts';
import { resourceStepper, type LifecycleStep } from '../census/resources/lifecycle.ts';
import { withUsccCheck } from '../lib/identifiers.ts';
import type { DataDemand, DataResource, InformationSystem, ResourceItem } from '../schemas/validator.ts';

/**
 * The census of the demo city 滨海市: the 系统清单, 数据清单 and 需求清单 of eight departments,
 * entered the way departments enter them — a registrar registers, the department's officer
 * approves, the data authority publishes, requesters link their demands — through the same
 * audited commands the API runs. The tables below are the data; the code at the end walks them.
 */

type Dept = 'scjg' | 'jtys' | 'wjw' | 'rsj' | 'wlj' | 'jrj' | 'gaj' | 'smmz';

// ---------------------------------------------------------------------------------------------
// 信息资源分类: department classes (部门信息资源, 3xx) and a few 目 under them

const CLASSES: [code: string, name: string, parent: string][] = [
  ['301', '市场监督管理部门信息资源', '3'],
  ['301001', '特种设备安全监察', '301'],
  ['302', '交通运输部门信息资源', '3'],
  ['302001', '客运出租汽车管理', '302'],
  ['303', '卫生健康部门信息资源', '3'],
  ['304', '人力资源和社会保障部门信息资源', '3'],
  ['304001', '就业服务与失业保险', '304'],
  ['305', '文化和旅游部门信息资源', '3'],
  ['306', '地方金融监管部门信息资源', '3'],
  ['307', '公安部门信息资源', '3'],
  ['307001', '治安管理', '307'],
  ['307002', '道路交通管理', '307'],
  ['308', '民政部门信息资源', '3'],
  ['308001', '社会组织管理', '308'],
];

// ---------------------------------------------------------------------------------------------
// 系统清单

const OPERATORS = {
  city: { name: '滨海数字城市运营有限公司', uscc: withUsccCheck('91350200MA2Y3K5L7'), contact: { name: '林志远', mobile: '13906001234' } },
  infra: { name: '滨海信息产业集团有限公司', uscc: withUsccCheck('913502007054312X8'), contact: { name: '黄晓东', mobile: '13859207788' } },
  self: undefined,
} as const;

interface SystemRow {
  key: string;
  dept: Dept;
  name: string;
  description: string;
  type: string;
  build: InformationSystem['buildStatus'];
  launched?: string;
  scope: InformationSystem['scope'];
  deploy: InformationSystem['deployment'];
  net: InformationSystem['network'];
  level?: 1 | 2 | 3 | 4 | 5;
  classified?: boolean;
  users?: number;
  gb?: number;
  cost?: number;
  ops?: number;
  contact: [name: string, phone: string];
  operator: keyof typeof OPERATORS;
  connected?: string[];
  zombie?: boolean;
}

// prettier-ignore
const SYSTEMS: SystemRow[] = [
  { key: 'scjg.reg', dept: 'scjg', name: '市场主体登记注册系统', description: '企业、个体工商户、农民专业合作社设立、变更、注销登记及电子营业执照发放。', type: '业务办理', build: 'built', launched: '2016-10-01', scope: 'city', deploy: 'gov_cloud', net: 'gov_extranet', level: 3, users: 420, gb: 1850, cost: 1260, ops: 180, contact: ['王敏', '0592-5301120'], operator: 'city', connected: ['国家企业信用信息公示系统', '一网通办平台'] },
  { key: 'scjg.food', dept: 'scjg', name: '食品安全智慧监管平台', description: '食品生产经营许可、日常监督检查、抽检监测和风险预警。', type: '监管执法', build: 'built', launched: '2020-03-15', scope: 'city', deploy: 'gov_cloud', net: 'gov_extranet', level: 2, users: 650, gb: 620, cost: 880, ops: 110, contact: ['陈立华', '0592-5301156'], operator: 'city' },
  { key: 'scjg.credit', dept: 'scjg', name: '企业信用监管平台', description: '行政处罚、经营异常名录、严重违法失信名单的归集、公示与信用分级分类监管。', type: '监管执法', build: 'built', launched: '2019-07-01', scope: 'city', deploy: 'gov_cloud', net: 'gov_extranet', level: 3, users: 300, gb: 410, cost: 650, ops: 90, contact: ['周晓燕', '0592-5301188'], operator: 'city', connected: ['市公共信用信息平台'] },
  { key: 'scjg.equip', dept: 'scjg', name: '特种设备安全监察系统', description: '电梯、锅炉、压力容器等特种设备使用登记、定期检验和隐患排查。', type: '监管执法', build: 'building', scope: 'city', deploy: 'gov_cloud', net: 'gov_extranet', level: 2, cost: 540, contact: ['郑凯', '0592-5301173'], operator: 'infra' },

  { key: 'jtys.bus', dept: 'jtys', name: '智慧公交运营调度系统', description: '公交线路、站点、车辆定位和到站预报，向公众发布实时公交信息。', type: '公共服务', build: 'built', launched: '2019-01-10', scope: 'city', deploy: 'gov_cloud', net: 'internet', level: 3, users: 1200000, gb: 3200, cost: 2100, ops: 320, contact: ['刘洋', '0592-2151030'], operator: 'city' },
  { key: 'jtys.road', dept: 'jtys', name: '道路运输管理信息系统', description: '道路运输经营许可、从业人员资格、营运车辆管理，与省级系统对接。', type: '业务办理', build: 'built', launched: '2015-06-01', scope: 'province', deploy: 'local', net: 'gov_extranet', level: 3, users: 260, gb: 780, cost: 900, ops: 120, contact: ['吴建国', '0592-2151066'], operator: 'self', connected: ['省道路运政管理系统'] },
  { key: 'jtys.bike', dept: 'jtys', name: '公共自行车与共享单车监管平台', description: '公共自行车站点实时车辆数、共享单车投放与停放监管。', type: '监管执法', build: 'built', launched: '2014-09-01', scope: 'city', deploy: 'hosted', net: 'internet', level: 2, users: 85, gb: 150, cost: 320, ops: 60, contact: ['许丽', '0592-2151088'], operator: 'infra' },
  { key: 'jtys.tocc', dept: 'jtys', name: '交通运行监测调度中心（TOCC）', description: '汇聚公交、出租、停车、客运数据，监测全市交通运行指数。', type: '决策支持', build: 'building', scope: 'city', deploy: 'gov_cloud', net: 'gov_extranet', level: 3, cost: 3600, contact: ['刘洋', '0592-2151030'], operator: 'city' },

  { key: 'wjw.hip', dept: 'wjw', name: '全民健康信息平台', description: '汇聚医疗机构诊疗、公共卫生和居民电子健康档案数据，支撑互联互通与业务协同。', type: '业务协同', build: 'built', launched: '2018-12-20', scope: 'city', deploy: 'gov_cloud', net: 'gov_extranet', level: 3, users: 5600, gb: 12800, cost: 4200, ops: 560, contact: ['杨帆', '0592-2060512'], operator: 'city', connected: ['省全民健康信息平台', '医保信息平台'] },
  { key: 'wjw.reg', dept: 'wjw', name: '医疗机构、医师、护士电子化注册系统', description: '国家卫生健康委统一建设的医疗机构执业登记及医护人员执业注册系统。', type: '业务办理', build: 'built', launched: '2017-05-01', scope: 'national_vertical', deploy: 'other', net: 'gov_extranet', level: 3, users: 180, contact: ['林珊', '0592-2060530'], operator: 'self' },
  { key: 'wjw.mch', dept: 'wjw', name: '妇幼健康信息系统', description: '孕产妇保健、儿童保健、出生医学证明签发与管理。', type: '业务办理', build: 'built', launched: '2016-03-01', scope: 'province', deploy: 'local', net: 'gov_extranet', level: 3, users: 900, gb: 960, cost: 560, ops: 80, contact: ['苏慧敏', '0592-2060547'], operator: 'infra' },

  { key: 'rsj.si', dept: 'rsj', name: '社会保险经办信息系统', description: '养老、失业、工伤保险参保登记、缴费核定和待遇支付，全省集中部署。', type: '业务办理', build: 'built', launched: '2017-01-01', scope: 'province', deploy: 'other', net: 'dedicated', level: 3, users: 2100, gb: 9800, contact: ['何伟', '0592-5102201'], operator: 'self', connected: ['税务社保费征收系统'] },
  { key: 'rsj.job', dept: 'rsj', name: '公共就业服务信息系统', description: '就业登记、失业登记、就业困难人员认定、职业技能培训补贴。', type: '公共服务', build: 'built', launched: '2018-04-01', scope: 'city', deploy: 'gov_cloud', net: 'gov_extranet', level: 2, users: 760, gb: 430, cost: 620, ops: 85, contact: ['罗静', '0592-5102236'], operator: 'city' },

  { key: 'wlj.tour', dept: 'wlj', name: '智慧旅游服务平台', description: '景区、酒店、旅行社信息发布，景区预约与实时客流监测。', type: '公共服务', build: 'built', launched: '2021-05-19', scope: 'city', deploy: 'gov_cloud', net: 'internet', level: 2, users: 860000, gb: 540, cost: 1150, ops: 160, contact: ['谢婷', '0592-2032118'], operator: 'city' },
  { key: 'wlj.market', dept: 'wlj', name: '全国文化市场技术监管与服务平台', description: '文化和旅游部统一建设，办理演出、娱乐场所、旅行社等许可。', type: '业务办理', build: 'built', launched: '2018-01-01', scope: 'national_vertical', deploy: 'other', net: 'internet', level: 3, users: 60, contact: ['邱明', '0592-2032145'], operator: 'self' },

  { key: 'jrj.sup', dept: 'jrj', name: '地方金融监管信息系统', description: '小额贷款公司、融资担保公司等地方金融组织的非现场监管与监管评级。', type: '监管执法', build: 'built', launched: '2020-09-01', scope: 'city', deploy: 'gov_cloud', net: 'gov_extranet', level: 3, users: 45, gb: 120, cost: 480, ops: 70, contact: ['潘志强', '0592-2895306'], operator: 'infra' },
  { key: 'jrj.svc', dept: 'jrj', name: '普惠金融综合服务平台', description: '汇聚涉企政务数据，为金融机构提供企业授权查询，撮合中小微企业融资需求。', type: '公共服务', build: 'built', launched: '2022-06-30', scope: 'city', deploy: 'gov_cloud', net: 'internet', level: 3, users: 38000, gb: 260, cost: 1600, ops: 210, contact: ['曾晓琳', '0592-2895322'], operator: 'city', connected: ['市公共信用信息平台', '社会保险经办信息系统'] },

  { key: 'gaj.pop', dept: 'gaj', name: '人口信息管理系统', description: '户籍、居住证、身份证办理及人口信息核验，公安专网部署。', type: '业务办理', build: 'built', launched: '2012-08-01', scope: 'national_vertical', deploy: 'local', net: 'dedicated', level: 3, users: 3400, gb: 5400, contact: ['张建华', '0592-2262110'], operator: 'self' },
  { key: 'gaj.traffic', dept: 'gaj', name: '公安交通管理综合应用平台', description: '机动车登记、驾驶人管理、交通违法处理，公安部统一版本。', type: '业务办理', build: 'built', launched: '2013-05-01', scope: 'national_vertical', deploy: 'local', net: 'dedicated', level: 3, users: 1800, gb: 7600, contact: ['方志勇', '0592-2262288'], operator: 'self' },
  { key: 'gaj.case', dept: 'gaj', name: '治安管理信息系统', description: '治安案件、违法犯罪人员信息管理。', type: '监管执法', build: 'built', launched: '2011-03-01', scope: 'internal', deploy: 'local', net: 'dedicated', level: 4, classified: true, users: 2600, gb: 2300, contact: ['张建华', '0592-2262110'], operator: 'self' },

  { key: 'smmz.aid', dept: 'smmz', name: '社会救助信息管理系统', description: '最低生活保障、特困供养、临时救助申请审核与资金发放，全省统一部署。', type: '业务办理', build: 'built', launched: '2019-10-01', scope: 'province', deploy: 'other', net: 'gov_extranet', level: 3, users: 320, gb: 210, contact: ['蔡雅琴', '0592-2196301'], operator: 'self', connected: ['居民家庭经济状况核对系统'] },
  { key: 'smmz.elder', dept: 'smmz', name: '思明区智慧养老服务平台', description: '养老机构、居家养老服务站点与服务补贴管理。', type: '公共服务', build: 'planned', scope: 'county', deploy: 'gov_cloud', net: 'internet', cost: 380, contact: ['蔡雅琴', '0592-2196301'], operator: 'city' },
  { key: 'smmz.call', dept: 'smmz', name: '社区服务呼叫中心系统', description: '2012 年建设的社区服务热线系统，已由 12345 热线替代，近三年无业务数据。', type: '公共服务', build: 'built', launched: '2012-05-01', scope: 'county', deploy: 'local', net: 'gov_extranet', level: 1, users: 0, gb: 12, cost: 85, ops: 6, contact: ['李国强', '0592-2196318'], operator: 'self', zombie: true },
];

// ---------------------------------------------------------------------------------------------
// 信息项: the columns departments declare, built from a few shapes

type Extra = Partial<Omit<ResourceItem, 'name' | 'label' | 'type'>>;
const item = (name: string, label: string, type: ResourceItem['type'], length?: number, extra: Extra = {}): ResourceItem =>
  ({ name, label, type, ...(length ? { length } : {}), ...extra });
const text = (name: string, label: string, length: number, extra: Extra = {}) => item(name, label, 'C', length, extra);
const date = (name: string, label: string, extra: Extra = {}) => item(name, label, 'D', undefined, extra);
const money = (name: string, label: string) => item(name, label, 'Y', 18);
const count = (name: string, label: string) => item(name, label, 'I', 10, { minimum: 0 });
const coord = (name: 'longitude' | 'latitude') => item(name, name === 'longitude' ? '经度' : '纬度', 'N', 10, { scale: 6 });

const USCC = text('uscc', '统一社会信用代码', 18, { required: true, key: true, check: 'uscc' });
const ENTITY = text('entity_name', '主体名称', 200, { required: true });
const LEGAL_REP = text('legal_rep', '法定代表人', 50, { sensitivity: 'personal', mask: 'name' });
const PERSON = text('person_name', '姓名', 50, { required: true, sensitivity: 'personal', mask: 'name' });
const ID_CARD = text('id_card', '公民身份号码', 18, { required: true, key: true, check: 'id-card', sensitivity: 'personal', mask: 'id-card' });
const MOBILE = text('mobile', '手机号码', 11, { check: 'mobile', sensitivity: 'personal', mask: 'mobile' });
const PHONE = text('phone', '联系电话', 20);
const ADDRESS = text('address', '地址', 200);
const REGION = text('region_code', '行政区划代码', 6, { check: 'region-code' });
const VALID_TO = date('valid_to', '有效期至');

// ---------------------------------------------------------------------------------------------
// 数据清单

interface ResourceRow {
  dept: Dept;
  /** the source system's key in SYSTEMS */
  sys?: string;
  /** where the entry stands in the lifecycle; published unless said */
  stage?: 'draft' | 'submitted' | 'approved';
  name: string;
  category: string;
  domain?: DataResource['domain'];
  format: [DataResource['format']['type'], string];
  share: DataResource['shareType'];
  /** 共享条件 for conditional, 不予共享依据 for none */
  shareWhy?: string;
  method?: DataResource['shareMethod'];
  open: DataResource['openType'];
  openWhy?: string;
  cycle: DataResource['updateCycle'];
  summary: string;
  items: ResourceItem[];
  tags: string[];
  records?: number;
  gb?: number;
  scenario?: string;
  matters?: string[];
  eLicence?: boolean;
}

const VERIFY_ONLY = '以核验方式提供，仅返回是否一致，不批量提供明细数据';

// prettier-ignore
/** A resource of the demo that examples (`odx load --help`, the guides) name, so they run against `npm start` as written. */
export const DEMO_EXAMPLE_RESOURCE = { code: '203/000005', name: '养老服务机构信息' } as const;

const RESOURCES: ResourceRow[] = [
  // 市市场监管局 — 市场监管, 信用服务
  { dept: 'scjg', sys: 'scjg.reg', name: '企业营业执照信息', category: '102', domain: 'market', format: ['database', 'oracle'], share: 'unconditional', open: 'open', cycle: 'daily',
    summary: '本市登记注册企业的营业执照信息，包括统一社会信用代码、企业名称、类型、法定代表人、注册资本、成立日期、住所、经营范围和登记状态。',
    items: [USCC, text('entity_name', '企业名称', 200, { required: true }), text('entity_type', '企业类型', 60), LEGAL_REP, item('reg_capital', '注册资本（万元）', 'N', 18, { scale: 4 }),
      date('founded_on', '成立日期'), text('address', '住所', 200), item('business_scope', '经营范围', 'M'), text('reg_authority', '登记机关', 100),
      text('reg_status', '登记状态', 10, { enum: ['存续', '在业', '吊销', '注销', '迁出'] })],
    tags: ['营业执照', '市场主体', '企业登记', '电子证照'], records: 682_430, gb: 14.2, eLicence: true, matters: ['企业设立登记', '企业变更登记', '企业注销登记'], scenario: '企业开办、涉企审批免提交营业执照复印件' },
  { dept: 'scjg', sys: 'scjg.reg', name: '个体工商户登记信息', category: '102', domain: 'market', format: ['database', 'oracle'], share: 'unconditional', open: 'open', cycle: 'daily',
    summary: '个体工商户的名称、经营者、组成形式、经营场所、经营范围和登记状态；经营者身份信息不予开放。',
    items: [USCC, text('entity_name', '个体工商户名称', 200), text('operator_name', '经营者姓名', 50, { sensitivity: 'personal', mask: 'name' }),
      text('operator_id', '经营者身份证号', 18, { check: 'id-card', sensitivity: 'personal', mask: 'id-card', openType: 'closed' }), text('form', '组成形式', 10, { enum: ['个人经营', '家庭经营'] }),
      text('premises', '经营场所', 200), item('business_scope', '经营范围', 'M'), date('reg_date', '注册日期')],
    tags: ['个体工商户', '市场主体'], records: 1_245_900, gb: 18.6, matters: ['个体工商户设立登记'] },
  { dept: 'scjg', sys: 'scjg.food', name: '食品经营许可证信息', category: '105', domain: 'market', format: ['database', 'mysql'], share: 'unconditional', open: 'open', cycle: 'daily',
    summary: '食品经营许可证的许可证编号、经营者名称、经营场所、主体业态、经营项目和有效期，支撑餐饮门店亮证经营和消费者查询。',
    items: [text('licence_no', '许可证编号', 20, { required: true, key: true, pattern: '^JY\\d{14}$' }), text('entity_name', '经营者名称', 200, { required: true }), USCC, LEGAL_REP,
      text('premises', '经营场所', 200), text('business_form', '主体业态', 30, { enum: ['食品销售经营者', '餐饮服务经营者', '单位食堂'] }), text('items_allowed', '经营项目', 500),
      date('issued_on', '发证日期'), VALID_TO],
    tags: ['食品安全', '许可证', '餐饮', '电子证照'], records: 96_300, gb: 1.3, eLicence: true, matters: ['食品经营许可'] },
  { dept: 'scjg', sys: 'scjg.credit', name: '市场监管行政处罚信息', category: '104', domain: 'credit', format: ['database', 'oracle'], share: 'unconditional', open: 'open', cycle: 'daily',
    summary: '市场监管部门作出的行政处罚决定，按《市场监督管理行政处罚信息公示规定》在公示期内公开，含当事人、违法行为、处罚内容和罚没金额。',
    items: [text('decision_no', '处罚决定书文号', 60, { required: true, key: true }), text('party_name', '当事人名称', 200), USCC, text('violation', '违法行为类型', 200),
      item('penalty', '处罚内容', 'M'), money('amount', '罚没款金额（元）'), date('decided_on', '处罚决定日期'), date('publish_until', '公示截止日期')],
    tags: ['行政处罚', '信用', '双公示'], records: 38_720, gb: 0.6, scenario: '信用分级分类监管、金融机构贷前审查' },
  { dept: 'scjg', sys: 'scjg.credit', name: '经营异常名录信息', category: '104', domain: 'credit', format: ['database', 'oracle'], share: 'unconditional', open: 'open', cycle: 'daily',
    summary: '被列入、移出经营异常名录的市场主体，含列入原因（未按期年报、通过登记住所无法联系等）、列入日期和作出决定机关。',
    items: [USCC, ENTITY, text('reason_in', '列入原因', 200), date('listed_on', '列入日期'), text('reason_out', '移出原因', 200), date('removed_on', '移出日期'), text('authority', '作出决定机关', 100)],
    tags: ['经营异常', '信用', '市场主体'], records: 154_300, gb: 0.9 },
  { dept: 'scjg', sys: 'scjg.equip', stage: 'submitted', name: '电梯使用登记信息', category: '301001', domain: 'market', format: ['database', 'mysql'], share: 'conditional', shareWhy: '仅限应急管理、住房城乡建设部门用于电梯安全监管和应急救援', method: 'platform', open: 'closed', cycle: 'weekly',
    summary: '在用电梯的使用登记证号、设备代码、使用单位、安装地址、维保单位和下次检验日期。',
    items: [text('equip_code', '设备代码', 20, { required: true, key: true }), text('reg_no', '使用登记证编号', 30), text('user_unit', '使用单位名称', 200), text('user_uscc', '使用单位统一社会信用代码', 18, { check: 'uscc' }),
      ADDRESS, text('maintainer', '维保单位', 200), date('next_inspection', '下次检验日期')],
    tags: ['特种设备', '电梯', '安全监管'], records: 72_400 },

  // 市交通运输局 — 交通出行
  { dept: 'jtys', sys: 'jtys.bus', name: '公交线路信息', category: '213', domain: 'transport', format: ['spreadsheet', 'xlsx'], share: 'unconditional', open: 'open', cycle: 'monthly',
    summary: '全市常规公交、BRT 和夜班线路的线路编号、起讫站点、首末班时间、票价和运营单位。',
    items: [text('line_no', '线路编号', 20, { required: true, key: true }), text('line_name', '线路名称', 50), text('from_stop', '起点站', 50), text('to_stop', '终点站', 50),
      text('first_bus', '首班时间', 5, { pattern: '^\\d{2}:\\d{2}$' }), text('last_bus', '末班时间', 5, { pattern: '^\\d{2}:\\d{2}$' }), money('fare', '票价（元）'), text('operator', '运营单位', 100)],
    tags: ['公交', '线路', '出行'], records: 486 },
  { dept: 'jtys', sys: 'jtys.bus', name: '公交站点信息', category: '213', domain: 'transport', format: ['self_describing', 'geojson'], share: 'unconditional', open: 'open', cycle: 'monthly',
    summary: '公交站点编号、名称、经纬度（CGCS2000）和途经线路，可用于出行导航和站点覆盖分析。',
    items: [text('stop_id', '站点编号', 20, { required: true, key: true }), text('stop_name', '站点名称', 50), coord('longitude'), coord('latitude'), text('lines', '途经线路', 500), REGION],
    tags: ['公交', '站点', '地理位置'], records: 4_912 },
  { dept: 'jtys', sys: 'jtys.bike', name: '公共自行车站点实时信息', category: '213', domain: 'transport', format: ['service', 'json'], share: 'unconditional', open: 'open', cycle: 'realtime',
    summary: '公共自行车站点名称、位置、可借车辆数和可还车位数，每分钟刷新。',
    items: [text('station_id', '站点编号', 20, { required: true, key: true }), text('station_name', '站点名称', 50), coord('longitude'), coord('latitude'),
      count('bikes', '可借车辆数'), count('docks', '可还车位数'), item('updated_at', '更新时间', 'T')],
    tags: ['公共自行车', '实时', '绿色出行'], records: 1_260 },
  { dept: 'jtys', sys: 'jtys.road', name: '道路运输经营许可证信息', category: '105', domain: 'transport', format: ['database', 'oracle'], share: 'unconditional', open: 'open', cycle: 'weekly',
    summary: '道路旅客运输、货物运输、机动车维修等经营业户的许可证号、经营范围和有效期。',
    items: [text('licence_no', '经营许可证号', 20, { required: true, key: true }), text('entity_name', '业户名称', 200), USCC, text('scope', '经营范围', 300), date('issued_on', '发证日期'), VALID_TO],
    tags: ['道路运输', '许可证', '电子证照'], records: 31_850, eLicence: true, matters: ['道路货物运输经营许可'] },
  { dept: 'jtys', sys: 'jtys.road', name: '网约车驾驶员证信息', category: '302001', domain: 'transport', format: ['database', 'oracle'], share: 'conditional', shareWhy: '仅限交通运输执法、公安和人力资源社会保障部门依职责核验从业资格', method: 'platform', open: 'closed', cycle: 'daily',
    summary: '网络预约出租汽车驾驶员证的持证人、证号、发证日期和服务平台，用于从业资格核验和新就业形态劳动者权益保障。',
    items: [PERSON, ID_CARD, text('cert_no', '驾驶员证号', 30), text('platform', '服务平台公司', 100), date('issued_on', '发证日期'), VALID_TO],
    tags: ['网约车', '从业资格', '新就业形态'], records: 58_600 },
  { dept: 'jtys', sys: 'jtys.tocc', stage: 'draft', name: '公共停车场泊位实时信息', category: '213', domain: 'transport', format: ['service', 'json'], share: 'unconditional', open: 'open', cycle: 'realtime',
    summary: '接入全市智慧停车平台的公共停车场名称、位置、总泊位、空余泊位和收费标准。',
    items: [text('lot_id', '停车场编号', 20, { required: true, key: true }), text('lot_name', '停车场名称', 100), coord('longitude'), coord('latitude'), count('spaces', '总泊位数'), count('free', '空余泊位数'), text('tariff', '收费标准', 300)],
    tags: ['停车', '实时', '泊位'] },

  // 市卫健委 — 医疗健康
  { dept: 'wjw', sys: 'wjw.reg', name: '医疗机构执业许可信息', category: '202', domain: 'health', format: ['database', 'sqlserver'], share: 'unconditional', open: 'open', cycle: 'weekly',
    summary: '医疗机构执业许可证登记号、机构名称、类别、诊疗科目、地址和有效期，覆盖医院、社区卫生服务中心和诊所。',
    items: [text('reg_no', '登记号', 30, { required: true, key: true }), text('org_name', '机构名称', 200), USCC, text('org_type', '机构类别', 50), text('subjects', '诊疗科目', 1000), ADDRESS, PHONE, VALID_TO],
    tags: ['医疗机构', '执业许可', '电子证照'], records: 2_340, eLicence: true },
  { dept: 'wjw', sys: 'wjw.reg', name: '医师执业注册信息', category: '202', domain: 'health', format: ['database', 'sqlserver'], share: 'conditional', shareWhy: '用于医疗卫生行业监管、医保定点协议管理和执业资格核验', method: 'platform', open: 'conditional', openWhy: '仅向经审核的医疗卫生研究机构开放，用于卫生人力资源统计分析，须签订数据使用协议', cycle: 'weekly',
    summary: '执业医师的执业类别、执业范围、主要执业机构和注册日期，姓名和身份证号脱敏。',
    items: [PERSON, ID_CARD, text('cert_no', '医师执业证书编码', 30), text('practice_type', '执业类别', 20, { enum: ['临床', '中医', '口腔', '公共卫生'] }), text('practice_scope', '执业范围', 100), text('org_name', '主要执业机构', 200), date('registered_on', '注册日期')],
    tags: ['医师', '执业注册', '卫生人力'], records: 28_460 },
  { dept: 'wjw', sys: 'wjw.mch', name: '出生医学证明信息', category: '105', domain: 'health', format: ['database', 'oracle'], share: 'conditional', shareWhy: '仅限公安、医保、人社部门办理“出生一件事”联办事项时使用', method: 'platform', open: 'closed', cycle: 'daily',
    summary: '出生医学证明编号、新生儿姓名、性别、出生时间、出生地点及父母身份信息，是办理户口登记和新生儿参保的依据。',
    items: [text('cert_no', '出生医学证明编号', 10, { required: true, key: true, pattern: '^[A-Z]\\d{9}$' }), text('baby_name', '新生儿姓名', 50, { sensitivity: 'personal', mask: 'name' }), text('sex', '性别', 1, { enum: ['男', '女'] }),
      item('born_at', '出生时间', 'T'), text('birthplace', '出生地点', 200), text('mother_name', '母亲姓名', 50, { sensitivity: 'personal', mask: 'name' }),
      text('mother_id', '母亲身份证号', 18, { check: 'id-card', sensitivity: 'personal', mask: 'id-card' }), text('father_name', '父亲姓名', 50, { sensitivity: 'personal', mask: 'name' }),
      text('father_id', '父亲身份证号', 18, { check: 'id-card', sensitivity: 'personal', mask: 'id-card' })],
    tags: ['出生医学证明', '出生一件事', '电子证照'], records: 412_000, eLicence: true, matters: ['出生登记', '城乡居民医保参保登记'] },
  { dept: 'wjw', sys: 'wjw.hip', name: '预防接种门诊信息', category: '202', domain: 'health', format: ['spreadsheet', 'xlsx'], share: 'unconditional', open: 'open', cycle: 'quarterly',
    summary: '预防接种门诊名称、地址、服务时间、咨询电话和可接种疫苗种类，方便居民就近预约接种。',
    items: [text('clinic_name', '门诊名称', 200, { required: true }), ADDRESS, text('hours', '服务时间', 100), PHONE, text('vaccines', '可接种疫苗', 500), REGION],
    tags: ['预防接种', '疫苗', '便民服务'], records: 186 },
  { dept: 'wjw', sys: 'wjw.hip', name: '二级以上医院号源信息', category: '202', domain: 'health', format: ['service', 'json'], share: 'unconditional', open: 'open', cycle: 'realtime',
    summary: '二级以上公立医院各科室的可预约号源数、出诊医生职称和预约渠道。',
    items: [text('hospital', '医院名称', 200), text('department', '科室', 50), text('title', '医生职称', 20), date('visit_date', '就诊日期'), count('slots', '剩余号源数')],
    tags: ['预约挂号', '号源', '便民服务'], records: 35_000 },
  { dept: 'wjw', sys: 'wjw.hip', stage: 'draft', name: '居民电子健康档案信息', category: '202', domain: 'health', format: ['database', 'oracle'], share: 'none', shareWhy: '《中华人民共和国基本医疗卫生与健康促进法》第九十二条、《中华人民共和国个人信息保护法》第二十八条：个人健康信息属敏感个人信息', open: 'closed', cycle: 'daily',
    summary: '居民基本信息、既往病史、慢病随访和体检记录，仅在医疗卫生机构间调阅。',
    items: [PERSON, ID_CARD, item('history', '既往病史', 'M', undefined, { sensitivity: 'sensitive' }), item('followups', '慢病随访记录', 'M', undefined, { sensitivity: 'sensitive' })],
    tags: ['健康档案', '敏感个人信息'], records: 4_860_000 },

  // 市人社局 — 社会保障
  { dept: 'rsj', sys: 'rsj.si', name: '社会保险参保信息', category: '203', domain: 'social_security', format: ['database', 'oracle'], share: 'conditional', shareWhy: `用于政务服务事项办理中核验参保状态，须依法定职责或经本人授权使用；${VERIFY_ONLY}`, method: 'platform', open: 'closed', cycle: 'daily',
    summary: '个人参加养老、失业、工伤保险的险种、参保状态、参保单位和参保日期。',
    items: [PERSON, ID_CARD, text('insurance', '险种类型', 20, { enum: ['企业职工基本养老保险', '城乡居民基本养老保险', '失业保险', '工伤保险'] }),
      text('state', '参保状态', 10, { enum: ['参保缴费', '暂停缴费', '终止参保'] }), text('employer', '参保单位名称', 200), text('employer_uscc', '参保单位统一社会信用代码', 18, { check: 'uscc' }), date('insured_on', '参保日期')],
    tags: ['社会保险', '参保', '核验'], records: 3_920_000, gb: 86, matters: ['社会保险参保证明查询', '最低生活保障审核'] },
  { dept: 'rsj', sys: 'rsj.si', name: '单位社会保险缴费信息', category: '203', domain: 'social_security', format: ['database', 'oracle'], share: 'conditional', shareWhy: '用于普惠金融信用评估和企业资质审查，须经企业授权', method: 'table_exchange', open: 'conditional', openWhy: '经企业授权的持牌金融机构可申请，仅用于信贷审批', cycle: 'monthly',
    summary: '用人单位按月的参保人数、缴费状态和欠费金额，反映企业经营和用工稳定性。',
    items: [USCC, text('employer', '单位名称', 200), text('month', '缴费年月', 6, { required: true, key: true, pattern: '^\\d{6}$' }), count('insured', '参保人数'),
      text('pay_state', '缴费状态', 10, { enum: ['正常', '欠费', '暂停'] }), money('arrears', '欠费金额（元）')],
    tags: ['社会保险', '企业用工', '普惠金融'], records: 9_650_000, gb: 42, scenario: '银行“社保贷”等信用贷款产品授权查询' },
  { dept: 'rsj', sys: 'rsj.job', name: '人力资源服务机构名录', category: '203', domain: 'social_security', format: ['spreadsheet', 'xlsx'], share: 'unconditional', open: 'open', cycle: 'monthly',
    summary: '取得人力资源服务许可或备案的机构名称、许可证号、服务范围和地址。',
    items: [USCC, text('org_name', '机构名称', 200), text('licence_no', '许可证编号', 30), text('services', '服务范围', 300), ADDRESS, PHONE],
    tags: ['人力资源服务', '就业', '名录'], records: 1_140 },
  { dept: 'rsj', sys: 'rsj.job', name: '就业困难人员认定信息', category: '304001', domain: 'social_security', format: ['database', 'mysql'], share: 'conditional', shareWhy: '仅限民政、残联、医保部门用于帮扶政策衔接', method: 'platform', open: 'closed', cycle: 'monthly',
    summary: '经认定的就业困难人员类别、认定日期和帮扶状态。',
    items: [PERSON, ID_CARD, text('category', '人员类别', 30, { enum: ['大龄失业人员', '残疾人', '零就业家庭成员', '低保家庭成员', '长期失业人员'] }), date('certified_on', '认定日期'), text('assisted', '帮扶状态', 10), MOBILE],
    tags: ['就业困难人员', '就业援助'], records: 21_300 },
  { dept: 'rsj', sys: 'rsj.job', name: '职业技能等级证书信息', category: '105', domain: 'social_security', format: ['database', 'mysql'], share: 'unconditional', method: 'platform', open: 'conditional', openWhy: `用人单位可申请证书真伪核验；${VERIFY_ONLY}`, cycle: 'weekly',
    summary: '职业技能等级认定后颁发证书的编号、职业工种、等级和发证机构。',
    items: [text('cert_no', '证书编号', 30, { required: true, key: true }), PERSON, text('id_card', '公民身份号码', 18, { check: 'id-card', sensitivity: 'personal', mask: 'id-card' }),
      text('occupation', '职业（工种）', 100), text('level', '技能等级', 10, { enum: ['五级', '四级', '三级', '二级', '一级'] }), text('issuer', '评价机构', 200), date('issued_on', '发证日期')],
    tags: ['技能证书', '电子证照', '就业'], records: 265_000, eLicence: true },
  { dept: 'rsj', sys: 'rsj.si', stage: 'approved', name: '工伤认定信息', category: '203', domain: 'social_security', format: ['database', 'oracle'], share: 'conditional', shareWhy: '仅限卫健、医保部门用于工伤医疗费用结算', method: 'platform', open: 'closed', cycle: 'monthly',
    summary: '工伤认定决定书编号、受伤职工、用人单位、事故时间和认定结论。',
    items: [text('decision_no', '认定决定书编号', 40, { required: true, key: true }), PERSON, text('id_card', '公民身份号码', 18, { check: 'id-card', sensitivity: 'personal', mask: 'id-card' }),
      text('employer', '用人单位', 200), date('injured_on', '事故日期'), text('conclusion', '认定结论', 20, { enum: ['认定为工伤', '视同工伤', '不予认定'] })],
    tags: ['工伤', '社会保险'], records: 18_900 },

  // 市文旅局 — 文化旅游
  { dept: 'wlj', sys: 'wlj.tour', name: 'A级旅游景区信息', category: '214', domain: 'culture_tourism', format: ['spreadsheet', 'csv'], share: 'unconditional', open: 'open', cycle: 'irregular',
    summary: '本市 A 级旅游景区的名称、等级、地址、经纬度、开放时间、门票价格、咨询电话和最大承载量。',
    items: [text('name', '景区名称', 100, { required: true, key: true }), text('grade', '景区等级', 2, { enum: ['5A', '4A', '3A', '2A', '1A'] }), ADDRESS, coord('longitude'), coord('latitude'),
      text('hours', '开放时间', 100), money('ticket', '门票价格（元）'), PHONE, count('capacity', '最大承载量（人次）')],
    tags: ['旅游景区', 'A级景区', '文旅'], records: 42 },
  { dept: 'wlj', sys: 'wlj.market', name: '旅行社名录信息', category: '214', domain: 'culture_tourism', format: ['spreadsheet', 'xlsx'], share: 'unconditional', open: 'open', cycle: 'monthly',
    summary: '本市旅行社及分社的名称、许可证号、经营范围（国内、入境、出境）、地址和质量保证金。',
    items: [USCC, text('agency', '旅行社名称', 200), text('licence_no', '旅行社业务经营许可证号', 30), text('scope', '经营范围', 50), ADDRESS, PHONE, money('deposit', '质量保证金（元）')],
    tags: ['旅行社', '名录', '文旅'], records: 512 },
  { dept: 'wlj', sys: 'wlj.tour', name: '星级饭店信息', category: '214', domain: 'culture_tourism', format: ['spreadsheet', 'xlsx'], share: 'unconditional', open: 'open', cycle: 'quarterly',
    summary: '星级饭店的名称、星级、客房数、地址和联系电话。',
    items: [text('hotel', '饭店名称', 200, { required: true }), text('stars', '星级', 4, { enum: ['五星级', '四星级', '三星级', '二星级', '一星级'] }), count('rooms', '客房数'), ADDRESS, PHONE],
    tags: ['酒店', '星级饭店', '住宿'], records: 68 },
  { dept: 'wlj', sys: 'wlj.tour', name: '景区实时客流信息', category: '214', domain: 'culture_tourism', format: ['service', 'json'], share: 'unconditional', open: 'open', cycle: 'realtime',
    summary: '重点景区当前在园人数、最大承载量和舒适度等级，节假日每 5 分钟更新。',
    items: [text('name', '景区名称', 100), count('visitors', '当前在园人数'), count('capacity', '最大承载量（人次）'), text('comfort', '舒适度', 4, { enum: ['舒适', '较舒适', '一般', '拥挤'] }), item('updated_at', '更新时间', 'T')],
    tags: ['客流', '实时', '旅游景区'], records: 42 },
  { dept: 'wlj', name: '公共文化场馆信息', category: '305', domain: 'culture_tourism', format: ['spreadsheet', 'xlsx'], share: 'unconditional', open: 'open', cycle: 'yearly',
    summary: '图书馆、文化馆、博物馆、美术馆等公共文化场馆的名称、类型、地址、开放时间和是否免费开放。',
    items: [text('venue', '场馆名称', 200, { required: true }), text('kind', '场馆类型', 10, { enum: ['图书馆', '文化馆', '博物馆', '美术馆', '纪念馆'] }), ADDRESS, text('hours', '开放时间', 100), item('free', '是否免费开放', 'L')],
    tags: ['公共文化', '博物馆', '图书馆'], records: 97 },
  { dept: 'wlj', sys: 'wlj.market', stage: 'submitted', name: '营业性演出场所信息', category: '305', domain: 'culture_tourism', format: ['spreadsheet', 'xlsx'], share: 'unconditional', open: 'open', cycle: 'quarterly',
    summary: '取得营业性演出许可的剧院、演艺场所名称、座位数、地址和许可证号。',
    items: [USCC, text('venue', '场所名称', 200), count('seats', '座位数'), ADDRESS, text('licence_no', '许可证号', 30)],
    tags: ['演出场所', '文化市场'], records: 36 },

  // 市金融局 — 普惠金融
  { dept: 'jrj', sys: 'jrj.sup', name: '小额贷款公司名录', category: '215', domain: 'finance', format: ['spreadsheet', 'xlsx'], share: 'unconditional', open: 'open', cycle: 'quarterly',
    summary: '经批准设立的小额贷款公司名称、注册资本、经营区域、地址和监管状态，便于公众识别持牌机构。',
    items: [USCC, text('company', '公司名称', 200), item('capital', '注册资本（万元）', 'N', 18, { scale: 4 }), text('area', '经营区域', 100), ADDRESS, text('status', '监管状态', 10, { enum: ['正常经营', '暂停业务', '退出'] })],
    tags: ['小额贷款', '地方金融组织', '持牌机构'], records: 27 },
  { dept: 'jrj', sys: 'jrj.sup', name: '融资担保机构名录', category: '215', domain: 'finance', format: ['spreadsheet', 'xlsx'], share: 'unconditional', open: 'open', cycle: 'quarterly',
    summary: '持有融资担保业务经营许可证的机构名称、许可证编号、注册资本和业务范围。',
    items: [USCC, text('company', '机构名称', 200), text('licence_no', '经营许可证编号', 30), item('capital', '注册资本（万元）', 'N', 18, { scale: 4 }), text('scope', '业务范围', 300)],
    tags: ['融资担保', '地方金融组织', '持牌机构'], records: 19 },
  { dept: 'jrj', sys: 'jrj.svc', name: '普惠金融服务站点信息', category: '215', domain: 'finance', format: ['self_describing', 'geojson'], share: 'unconditional', open: 'open', cycle: 'monthly',
    summary: '银行网点、农村普惠金融服务点和“金融驿站”的名称、位置、服务内容和服务时间。',
    items: [text('site', '站点名称', 200, { required: true }), text('bank', '所属金融机构', 100), coord('longitude'), coord('latitude'), text('services', '服务内容', 300), text('hours', '服务时间', 100), REGION],
    tags: ['普惠金融', '金融服务', '网点'], records: 1_380 },
  { dept: 'jrj', sys: 'jrj.svc', name: '中小微企业融资需求信息', category: '215', domain: 'finance', format: ['database', 'mysql'], share: 'conditional', shareWhy: '仅限发展改革、工业和信息化部门用于中小企业纾困政策评估', method: 'platform', open: 'conditional', openWhy: '入驻平台的持牌金融机构经企业授权后可查看并对接', cycle: 'daily',
    summary: '企业在普惠金融综合服务平台发布的融资金额、期限、用途和对接状态。',
    items: [USCC, ENTITY, money('amount', '融资金额（元）'), count('months', '融资期限（月）'), text('purpose', '资金用途', 200), text('state', '对接状态', 10, { enum: ['待对接', '对接中', '已放款', '已撤回'] }),
      text('contact_mobile', '联系人手机', 11, { check: 'mobile', sensitivity: 'personal', mask: 'mobile' })],
    tags: ['融资需求', '中小微企业', '普惠金融'], records: 12_800 },
  { dept: 'jrj', sys: 'jrj.sup', name: '地方金融组织监管评级信息', category: '306', domain: 'finance', format: ['spreadsheet', 'xlsx'], share: 'conditional', shareWhy: '仅限人民银行、金融监管总局派出机构和市场监管部门用于协同监管', method: 'email', open: 'closed', cycle: 'yearly',
    summary: '地方金融组织年度监管评级结果和主要扣分事项。',
    items: [USCC, text('company', '机构名称', 200), text('year', '评级年度', 4, { pattern: '^\\d{4}$' }), text('rating', '评级结果', 2, { enum: ['A', 'B', 'C', 'D', 'E'] }), item('findings', '主要问题', 'M', undefined, { sensitivity: 'internal' })],
    tags: ['监管评级', '地方金融组织'], records: 46 },

  // 市公安局 — 公共安全（不予共享、不予开放为主）
  { dept: 'gaj', sys: 'gaj.pop', name: '常住人口基本信息', category: '101', domain: 'public_safety', format: ['database', 'oracle'], share: 'conditional', shareWhy: `仅限依法履行职责的部门用于身份核验；${VERIFY_ONLY}`, method: 'platform', open: 'closed', cycle: 'daily',
    summary: '常住人口的姓名、公民身份号码、性别、民族、出生日期和户籍地址，是各部门身份核验的权威来源。',
    items: [PERSON, ID_CARD, text('sex', '性别', 1, { enum: ['男', '女'] }), text('ethnicity', '民族', 20), date('born_on', '出生日期', { sensitivity: 'personal' }),
      text('hukou_address', '户籍地址', 200, { sensitivity: 'personal' }), REGION],
    tags: ['人口', '身份核验', '基础库'], records: 5_280_000, gb: 120, matters: ['企业开办', '最低生活保障审核'] },
  { dept: 'gaj', sys: 'gaj.traffic', name: '机动车登记信息', category: '307002', domain: 'public_safety', format: ['database', 'oracle'], share: 'conditional', shareWhy: '仅限民政部门家庭经济状况核对和法院执行查控使用，按车主身份号码逐条查询', method: 'platform', open: 'closed', cycle: 'daily',
    summary: '机动车号牌号码、车辆类型、品牌型号、所有人和登记日期。',
    items: [text('plate', '号牌号码', 10, { required: true, key: true }), text('vehicle_type', '车辆类型', 20), text('model', '品牌型号', 100), text('owner_name', '所有人', 200, { sensitivity: 'personal', mask: 'name' }),
      text('owner_id', '所有人身份证明号码', 18, { sensitivity: 'personal', mask: 'id-card' }), date('registered_on', '初次登记日期')],
    tags: ['机动车', '车辆登记', '家庭经济状况核对'], records: 2_150_000, gb: 38 },
  { dept: 'gaj', sys: 'gaj.case', name: '违法犯罪人员信息', category: '307001', domain: 'public_safety', format: ['database', 'oracle'], share: 'none', shareWhy: '《中华人民共和国刑事诉讼法》第二百八十六条、《公安机关办理刑事案件程序规定》：涉案信息依法保密，不予共享', open: 'closed', cycle: 'realtime',
    summary: '治安和刑事案件中违法犯罪人员的身份和处理结果，仅在公安机关内部使用。',
    items: [PERSON, ID_CARD, text('case_no', '案件编号', 30), text('result', '处理结果', 200, { sensitivity: 'sensitive' })],
    tags: ['治安管理', '涉密'], records: 186_000 },
  { dept: 'gaj', sys: 'gaj.pop', name: '户籍人口统计信息', category: '101', domain: 'public_safety', format: ['spreadsheet', 'xlsx'], share: 'unconditional', open: 'open', cycle: 'yearly',
    summary: '按区县统计的年末户籍人口、男女人数、出生和死亡人数，不含个人信息。',
    items: [REGION, text('year', '统计年度', 4, { required: true, key: true, pattern: '^\\d{4}$' }), count('population', '户籍人口数'), count('male', '男性人数'), count('female', '女性人数'), count('births', '出生人数'), count('deaths', '死亡人数')],
    tags: ['人口统计', '户籍'], records: 60 },
  { dept: 'gaj', sys: 'gaj.pop', stage: 'draft', name: '居住证办理信息', category: '307001', domain: 'public_safety', format: ['database', 'oracle'], share: 'conditional', shareWhy: '仅限教育、人社部门核验随迁子女入学、积分落户申请人居住年限', method: 'platform', open: 'closed', cycle: 'daily',
    summary: '居住证持证人、居住地址、签发日期和有效期。',
    items: [PERSON, ID_CARD, text('address', '居住地址', 200, { sensitivity: 'personal' }), date('issued_on', '签发日期'), VALID_TO],
    tags: ['居住证', '流动人口'] },

  // 思明区民政局 — 社会保障
  { dept: 'smmz', sys: 'smmz.aid', name: '最低生活保障对象信息', category: '203', domain: 'social_security', format: ['database', 'mysql'], share: 'conditional', shareWhy: '用于医疗救助、教育资助、水电费减免等救助政策衔接，仅限相关部门依职责使用', method: 'platform', open: 'closed', cycle: 'monthly',
    summary: '思明区城乡最低生活保障家庭户主、保障人数、保障金额和批准日期。',
    items: [PERSON, ID_CARD, count('members', '保障人数'), money('allowance', '月保障金额（元）'), date('approved_on', '批准日期'), text('street', '所属街道', 50)],
    tags: ['低保', '社会救助', '民生'], records: 3_860, matters: ['最低生活保障审核确认'] },
  { dept: 'smmz', sys: 'smmz.elder', name: '养老服务机构信息', category: '203', domain: 'social_security', format: ['spreadsheet', 'xlsx'], share: 'unconditional', open: 'open', cycle: 'quarterly',
    summary: '思明区养老机构、居家社区养老服务照料中心的名称、床位数、收费标准、地址和联系电话。',
    items: [text('org_name', '机构名称', 200, { required: true }), text('kind', '机构类型', 20, { enum: ['养老院', '护理院', '日间照料中心', '长者食堂'] }), count('beds', '床位数'), text('fees', '收费标准', 300), ADDRESS, PHONE],
    tags: ['养老服务', '养老机构', '民生'], records: 74 },
  { dept: 'smmz', name: '社区社会组织名录', category: '308001', domain: 'other', format: ['spreadsheet', 'xlsx'], share: 'unconditional', open: 'open', cycle: 'semiannual',
    summary: '在思明区登记或备案的社区社会组织名称、类型、业务范围和所属社区。',
    items: [text('org_name', '组织名称', 200, { required: true }), text('kind', '组织类型', 20, { enum: ['社会团体', '民办非企业单位', '备案社区社会组织'] }), text('scope', '业务范围', 300), text('community', '所属社区', 50)],
    tags: ['社会组织', '社区治理'], records: 412 },
  { dept: 'smmz', name: '婚姻登记信息', category: '105', domain: 'social_security', format: ['database', 'oracle'], share: 'conditional', shareWhy: `仅限公安、住房公积金、不动产登记部门核验婚姻状况；${VERIFY_ONLY}`, method: 'platform', open: 'closed', cycle: 'daily',
    summary: '结婚、离婚登记的证件编号、双方身份信息和登记日期。',
    items: [text('cert_no', '证件编号', 30, { required: true, key: true }), text('kind', '登记类型', 4, { enum: ['结婚', '离婚', '补领'] }), text('party_a_id', '男方身份证号', 18, { check: 'id-card', sensitivity: 'personal', mask: 'id-card' }),
      text('party_b_id', '女方身份证号', 18, { check: 'id-card', sensitivity: 'personal', mask: 'id-card' }), date('registered_on', '登记日期')],
    tags: ['婚姻登记', '电子证照', '核验'], records: 326_000, eLicence: true },
];

/** A published entry whose next version (one more item) is in revision: the published one stays in the catalogue. */
const REVISIONS: { name: string; add: ResourceItem[] }[] = [
  { name: '企业营业执照信息', add: [date('approved_on', '核准日期')] },
];

// ---------------------------------------------------------------------------------------------
// 需求清单

interface DemandRow {
  dept: Dept;
  name: string;
  resourceName: string;
  items: string[];
  provider?: Dept;
  providerName?: string;
  purpose: string;
  business?: string;
  matters?: string[];
  access: DataDemand['accessMode'];
  cycle?: DataDemand['updateCycle'];
  legalBasis?: string;
  contact: [name: string, mobile: string];
  /** resources (by name) the requester links the demand to */
  links?: string[];
  /** why nothing here can answer it */
  unfulfillable?: string;
}

// prettier-ignore
const DEMANDS: DemandRow[] = [
  { dept: 'scjg', name: '企业开办核验股东和法定代表人身份', resourceName: '常住人口基本信息', items: ['姓名', '公民身份号码'], provider: 'gaj',
    purpose: '企业开办“一网通办”时核验法定代表人、股东身份，申请人免于上传身份证照片。', business: '企业设立登记', matters: ['企业设立登记'], access: 'verify',
    legalBasis: '《中华人民共和国市场主体登记管理条例》第十五条', contact: ['王敏', '13906002001'], links: ['常住人口基本信息'] },
  { dept: 'rsj', name: '社会保险单位参保登记核验营业执照', resourceName: '营业执照信息', items: ['统一社会信用代码', '企业名称', '法定代表人', '成立日期'], provider: 'scjg',
    purpose: '用人单位办理社会保险登记时自动获取营业执照信息，免于提交营业执照复印件。', business: '社会保险单位参保登记', access: 'query', contact: ['何伟', '13906002002'], links: ['企业营业执照信息'] },
  { dept: 'jrj', name: '普惠金融平台企业信用画像', resourceName: '企业社保缴纳及失信信息', items: ['统一社会信用代码', '参保人数', '缴费状态', '列入原因', '处罚内容'],
    purpose: '经企业授权，向金融机构提供企业用工和信用状况，支撑无抵押信用贷款审批。', business: '普惠金融综合服务平台“信易贷”', access: 'table_exchange', cycle: 'monthly',
    legalBasis: '《滨海市促进普惠金融发展若干措施》第八条', contact: ['曾晓琳', '13906002003'], links: ['单位社会保险缴费信息', '经营异常名录信息', '市场监管行政处罚信息'] },
  { dept: 'smmz', name: '最低生活保障家庭经济状况核对', resourceName: '社会保险参保及机动车登记信息', items: ['公民身份号码', '参保状态', '参保单位名称', '号牌号码', '车辆类型'],
    purpose: '低保申请审核时核对申请家庭成员的就业参保和车辆情况。', business: '最低生活保障审核确认', matters: ['最低生活保障审核确认'], access: 'query',
    legalBasis: '《社会救助暂行办法》第十一条', contact: ['蔡雅琴', '13906002004'], links: ['社会保险参保信息', '机动车登记信息'] },
  { dept: 'gaj', name: '新生儿户口登记核验出生医学证明', resourceName: '出生医学证明信息', items: ['出生医学证明编号', '新生儿姓名', '出生时间', '母亲身份证号'], provider: 'wjw',
    purpose: '“出生一件事”联办中办理新生儿户口登记，免于提交纸质出生医学证明。', business: '出生登记', matters: ['出生登记'], access: 'query', contact: ['张建华', '13906002005'], links: ['出生医学证明信息'] },
  { dept: 'jtys', name: '旅游专线公交线网优化', resourceName: '景区信息及实时客流', items: ['景区名称', '经度', '纬度', '最大承载量', '当前在园人数'], provider: 'wlj',
    purpose: '依据景区位置和节假日客流开行、调整旅游专线公交。', access: 'download', cycle: 'daily', contact: ['刘洋', '13906002006'], links: ['A级旅游景区信息', '景区实时客流信息'] },
  { dept: 'wlj', name: '游客来源地分析', resourceName: '手机信令游客来源地统计', items: ['来源省份', '来源城市', '游客人数', '平均停留时长'],
    purpose: '分析节假日游客来源结构，精准投放旅游宣传。', access: 'download', cycle: 'daily', contact: ['谢婷', '13906002007'],
    unfulfillable: '手机信令数据由电信运营商持有，不在本市政务数据资源目录范围内；可通过公共数据授权运营或与运营商合作获取统计结果。' },
  { dept: 'rsj', name: '新就业形态劳动者职业伤害保障参保扩面', resourceName: '网约车驾驶员从业信息', items: ['姓名', '公民身份号码', '服务平台公司'], provider: 'jtys',
    purpose: '识别网约车驾驶员等新就业形态劳动者，开展职业伤害保障参保宣传和扩面。', business: '新就业形态就业人员职业伤害保障', access: 'table_exchange', cycle: 'monthly',
    legalBasis: '《关于维护新就业形态劳动者劳动保障权益的指导意见》', contact: ['罗静', '13906002008'] },
  { dept: 'wjw', name: '医养结合机构统计', resourceName: '养老机构名录', items: ['机构名称', '床位数', '地址'], provider: 'smmz', providerName: '滨海市思明区民政局',
    purpose: '统计可开展医养结合服务的养老机构，规划签约医疗机构。', access: 'download', cycle: 'quarterly', contact: ['杨帆', '13906002009'] },
];

// ---------------------------------------------------------------------------------------------

export interface CensusSummary {
  classes: number;
  systems: number;
  resources: number;
  published: number;
  demands: number;
}

const PERSONA = { scjg: '市场监管局', jtys: '交通运输局', wjw: '卫健委', rsj: '人社局', wlj: '文旅局', jrj: '金融局', gaj: '公安局', smmz: '思明区民政局' } as const;

function systemDoc(s: SystemRow, owner: string): InformationSystem {
  const operator = OPERATORS[s.operator];
  return {
    name: s.name,
    owner,
    contact: { name: s.contact[0], phone: s.contact[1] },
    ...(operator ? { operator } : { operator: { name: `滨海市${PERSONA[s.dept]}信息中心` } }),
    description: s.description,
    buildStatus: s.build,
    systemType: s.type,
    scope: s.scope,
    deployment: s.deploy,
    network: s.net,
    ...(s.level ? { protectionLevel: s.level } : {}),
    classified: s.classified ?? false,
    ...(s.launched ? { launchedAt: s.launched } : {}),
    ...(s.cost !== undefined ? { constructionCost: s.cost } : {}),
    ...(s.ops !== undefined ? { annualOpsCost: s.ops } : {}),
    ...(s.gb !== undefined ? { storageGb: s.gb } : {}),
    ...(s.users !== undefined ? { users: s.users } : {}),
    ...(s.connected ? { connectedSystems: s.connected } : {}),
    ...(s.zombie ? { zombie: true } : {}),
  };
}

function resourceDoc(r: ResourceRow, provider: string, sourceSystem?: number): DataResource {
  const shared = r.share !== 'none';
  return {
    name: r.name,
    summary: r.summary,
    category: r.category,
    provider,
    format: { type: r.format[0], subtype: r.format[1] },
    items: r.items,
    shareType: r.share,
    ...(r.share === 'conditional' ? { shareCondition: r.shareWhy } : {}),
    ...(r.share === 'none' ? { shareBasis: r.shareWhy } : {}),
    ...(shared ? { shareMethod: r.method ?? 'platform' } : {}),
    openType: r.open,
    ...(r.openWhy ? { openCondition: r.openWhy } : {}),
    updateCycle: r.cycle,
    ...(r.domain ? { domain: r.domain } : {}),
    ...(sourceSystem ? { sourceSystem } : {}),
    tags: r.tags,
    ...(r.records !== undefined
      ? { volume: { records: r.records, ...(r.gb !== undefined ? { storageGb: r.gb } : {}), ...(shared ? { sharedRecords: r.records } : {}), ...(r.open === 'open' ? { openRecords: r.records } : {}) } }
      : {}),
    ...(r.scenario ? { scenario: r.scenario } : {}),
    ...(r.eLicence ? { eLicence: true } : {}),
    ...(r.matters ? { matters: r.matters } : {}),
  };
}

function demandDoc(d: DemandRow, usccOf: (dept: Dept) => string): DataDemand {
  return {
    name: d.name,
    requester: usccOf(d.dept),
    contact: { name: d.contact[0], mobile: d.contact[1] },
    resourceName: d.resourceName,
    items: d.items,
    ...(d.provider ? { provider: usccOf(d.provider) } : {}),
    ...(d.providerName ? { providerName: d.providerName } : {}),
    purpose: d.purpose,
    ...(d.business ? { business: d.business } : {}),
    ...(d.matters ? { matters: d.matters } : {}),
    accessMode: d.access,
    ...(d.cycle ? { updateCycle: d.cycle } : {}),
    ...(d.legalBasis ? { legalBasis: d.legalBasis } : {}),
  };
}

const STEPS_TO: Record<NonNullable<ResourceRow['stage']> | 'published', LifecycleStep[]> = {
  draft: [],
  submitted: ['submit'],
  approved: ['submit', 'approve'],
  published: ['submit', 'approve', 'publish'],
};

/**
 * Loads the census in one transaction (all of it or nothing), each step as its own audited
 * command by the account that does it in real life: `<dept>.registrar` registers and submits,
 * `<dept>.officer` approves, `sjj.authority` extends the classification tree and publishes.
 * `departments` maps the department keys of seed.ts to their ids.
 */
export async function seedCensus(knex: Knex, departments: Map<string, number>, config: Pick<Config, 'resourceApprovalDays'>): Promise<CensusSummary> {
  const summary = await knex.transaction(async (trx) => {
    const usccs = new Map<number, string>(
      (await trx('odx.departments').whereIn('id', [...departments.values()]).select('id', 'uscc')).map((d: { id: number; uscc: string }) => [d.id, d.uscc]),
    );
    const deptId = (d: Dept) => departments.get(d) ?? (() => { throw new Error(`demo census: no department '${d}'`); })();
    const usccOf = (d: Dept) => usccs.get(deptId(d))!;
    const people = new Map<string, Actor>(
      (await trx('odx.principals').select('id', 'login', 'department_id')).map((p: { id: number; login: string; department_id: number | null }) => [
        p.login,
        { kind: 'principal', id: p.id, label: `principal:${p.login}`, departmentId: p.department_id },
      ]),
    );
    const as = (login: string): Actor => people.get(login) ?? (() => { throw new Error(`demo census: no account '${login}'`); })();
    const authority = as('sjj.authority');
    const stepActor = (dept: Dept, step: LifecycleStep) => (step === 'approve' ? as(`${dept}.officer`) : step === 'publish' ? authority : as(`${dept}.registrar`));

    await runCommand(trx, { actor: authority }, async (ctx) => {
      for (const [code, name, parent] of CLASSES) {
        await ctx.trx('odx.classifications').insert({ code, name, parent_code: parent });
        ctx.audit({ action: 'classification.create', targetType: 'classification', targetId: code, detail: { name, parent } });
      }
    });

    const systemIds = new Map<string, number>();
    for (const s of SYSTEMS) {
      const row = await runCommand(trx, { actor: as(`${s.dept}.registrar`) }, (ctx) => documentCreator(ctx, 'system', systemDoc(s, usccOf(s.dept))));
      systemIds.set(s.key, row.id);
    }

    const resourceIds = new Map<string, number>();
    let published = 0;
    for (const r of RESOURCES) {
      const doc = resourceDoc(r, usccOf(r.dept), r.sys ? systemIds.get(r.sys) : undefined);
      const created = await runCommand(trx, { actor: as(`${r.dept}.registrar`) }, (ctx) => documentCreator(ctx, 'resource', doc));
      resourceIds.set(r.name, created.id);
      const steps = STEPS_TO[r.stage ?? 'published'];
      for (const step of steps) await runCommand(trx, { actor: stepActor(r.dept, step) }, (ctx) => resourceStepper(ctx, created.id, step, undefined, { approvalDays: config.resourceApprovalDays }));
      if (steps.includes('publish')) published++;
    }
    for (const rev of REVISIONS) {
      const r = RESOURCES.find((x) => x.name === rev.name)!;
      const doc = resourceDoc(r, usccOf(r.dept), r.sys ? systemIds.get(r.sys) : undefined);
      await runCommand(trx, { actor: as(`${r.dept}.registrar`) }, (ctx) =>
        documentUpdater(ctx, 'resource', resourceIds.get(r.name)!, { ...doc, items: [...doc.items, ...rev.add] }),
      );
    }

    for (const d of DEMANDS) {
      const requester = as(`${d.dept}.registrar`);
      const created = await runCommand(trx, { actor: requester }, (ctx) => documentCreator(ctx, 'demand', demandDoc(d, usccOf)));
      for (const name of d.links ?? []) {
        const resourceId = resourceIds.get(name) ?? (() => { throw new Error(`demo census: demand '${d.name}' links unknown resource '${name}'`); })();
        await runCommand(trx, { actor: requester }, (ctx) => demandLinker(ctx, created.id, resourceId));
      }
      if (d.unfulfillable) await runCommand(trx, { actor: authority }, (ctx) => demandCloser(ctx, created.id, d.unfulfillable!));
    }
    return { classes: CLASSES.length, systems: SYSTEMS.length, resources: RESOURCES.length, published, demands: DEMANDS.length };
  });
  notifyChainer(knex);
  return summary;
}
