import { Readable } from 'node:stream';
import type { Knex } from 'knex';
import type { Actor } from '../audit/chain.ts';
import { notifyChainer } from '../audit/chainer.ts';
import type { Config } from '../config.ts';
import { csvField } from '../lib/csv.ts';
import { isIdCard, isMobile, isRegionCode, isUscc, withIdCardCheck, withUsccCheck } from '../lib/identifiers.ts';
import { executeLoad, loadCreator } from '../loads/service.ts';
import type { ResourceItem } from '../schemas/validator.ts';

/**
 * Data behind the demo catalogue. For every published resource the provider's registrar uploads
 * a CSV extract — headers are the items' Chinese labels — through the real loader, so each entry
 * is linked (编目挂接) with a version, a quality profile and audit events, exactly as a department's
 * upload would make it.
 *
 * The rows are generated from the item definitions (信息项: type, length, scale, enum, check,
 * pattern, minimum/maximum, required, key), not written per resource: every value fits its item
 * by construction, and the loads run with `maxErrors: 0`, so a value a check rejects is a bug here.
 * Realism comes from a table of hints by label keyword (名称 -> organisation names, 姓名 -> people,
 * 地址 -> addresses, 电话 -> phone numbers...) and from per-row subjects that items share: the row's
 * person (name, sex, birth date and 身份证号 agree), organisation (name, 统一社会信用代码 and founding
 * date agree) and district (行政区划代码, address and coordinates agree). A hint may read other items
 * of its row (有效期至 follows 发证日期, 女性人数 is 户籍人口数 less 男性人数).
 *
 * Everything comes from a seeded PRNG: the same items, seed and `asOf` day give the same rows.
 */

// ---------------------------------------------------------------------------------------------
// Randomness

/** sfc32 seeded by a string hash (xmur3): small, fast, and good enough for demo data. */
export class Rng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  constructor(seed: string) {
    let h = 1779033703 ^ seed.length;
    for (let i = 0; i < seed.length; i++) {
      h = Math.imul(h ^ seed.charCodeAt(i), 3432918353);
      h = (h << 13) | (h >>> 19);
    }
    const next = () => {
      h = Math.imul(h ^ (h >>> 16), 2246822507);
      h = Math.imul(h ^ (h >>> 13), 3266489909);
      return (h ^= h >>> 16) >>> 0;
    };
    this.a = next();
    this.b = next();
    this.c = next();
    this.d = next();
    for (let i = 0; i < 12; i++) this.next();
  }

  /** A float in [0, 1). */
  next(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return (t >>> 0) / 4294967296;
  }

  /** An integer in [lo, hi]. */
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  pick<T>(list: readonly T[]): T {
    return list[Math.floor(this.next() * list.length)];
  }

  char(chars: string): string {
    return chars[Math.floor(this.next() * chars.length)];
  }

  /** Earlier entries more often: entry i with weight 1 / (i + 1)^s. */
  zipf<T>(list: readonly T[], s = 1): T {
    const cum = zipfTable(list.length, s);
    const x = this.next() * cum[cum.length - 1];
    let i = 0;
    while (i < cum.length - 1 && cum[i] <= x) i++;
    return list[i];
  }

  /** Log-uniform in [lo, hi]: as many small values as large ones per order of magnitude. */
  logUniform(lo: number, hi: number): number {
    return Math.exp(Math.log(lo) + this.next() * (Math.log(hi) - Math.log(lo)));
  }

  digits(n: number): string {
    let s = '';
    for (let i = 0; i < n; i++) s += Math.floor(this.next() * 10);
    return s;
  }
}

const zipfTables = new Map<number, Float64Array>();
/** Cumulative weights 1 / (i + 1)^s of n entries. */
function zipfTable(n: number, s: number): Float64Array {
  const key = n * 1000 + Math.round(s * 100);
  let t = zipfTables.get(key);
  if (!t) {
    t = new Float64Array(n);
    for (let i = 0, sum = 0; i < n; i++) t[i] = sum += 1 / (i + 1) ** s;
    zipfTables.set(key, t);
  }
  return t;
}

const words = (s: string) => s.trim().split(/\s+/);
const pad = (n: number, width: number) => String(n).padStart(width, '0');
const round = (x: number, step: number) => Math.max(step, Math.round(x / step) * step);

// ---------------------------------------------------------------------------------------------
// Days (UTC day numbers) and date-times (milliseconds, wall clock of Asia/Shanghai)

const DAY_MS = 86_400_000;
const YEAR = 365;
export const dayOf = (iso: string) => Math.floor(Date.parse(`${iso}T00:00:00Z`) / DAY_MS);
const isoDay = (day: number) => new Date(day * DAY_MS).toISOString().slice(0, 10);
const isoTime = (ms: number) => new Date(ms).toISOString().slice(0, 19).replace('T', ' ');
const yearOf = (day: number) => new Date(day * DAY_MS).getUTCFullYear();
const compact = (day: number) => isoDay(day).replace(/-/g, '');

// ---------------------------------------------------------------------------------------------
// The demo city 滨海市: districts (GB/T 2260) with their centres, streets and roads

interface District {
  code: string;
  name: string;
  lat: number;
  lon: number;
  streets: string[];
  roads: string[];
  weight: number;
}

// prettier-ignore
const DISTRICTS: District[] = [
  { code: '350203', name: '思明区', lat: 24.462, lon: 118.112, weight: 3, streets: words('中华 鹭江 开元 梧村 厦港 滨海 嘉莲 莲前 筼筜 鼓浪屿'),
    roads: words('湖滨南路 湖滨北路 湖滨东路 莲前东路 莲前西路 嘉禾路 环岛路 体育路 文屏路 思明南路 中山路 华侨路 鹭岭路 观音山路 软件园路 台湾街 莲花路 厦禾路 长青路 滨北路') },
  { code: '350206', name: '湖里区', lat: 24.512, lon: 118.146, weight: 2.6, streets: words('湖里 殿前 禾山 江头 金山'),
    roads: words('仙岳路 吕岭路 枋湖路 五缘湾道 金尚路 东渡路 湖里大道 兴隆路 江头北路 高崎南路 安岭路 县后路') },
  { code: '350211', name: '集美区', lat: 24.575, lon: 118.097, weight: 2, streets: words('集美 侨英 杏林 杏滨 灌口 后溪'),
    roads: words('集美大道 杏林湾路 银江路 侨英路 杏锦路 乐海路 诚毅大街 后溪大道 灌口大道') },
  { code: '350205', name: '海沧区', lat: 24.484, lon: 118.033, weight: 1.4, streets: words('海沧 新阳 嵩屿 东孚'),
    roads: words('海沧大道 新阳大道 马銮湾路 滨湖路 沧林路 钟林路 翁角路') },
  { code: '350212', name: '同安区', lat: 24.723, lon: 118.152, weight: 1.4, streets: words('大同 祥平 新民 西柯 洪塘 五显'),
    roads: words('同集路 环城南路 大同路 银湖路 西柯街 凤山路 城东路') },
  { code: '350213', name: '翔安区', lat: 24.618, lon: 118.247, weight: 1.2, streets: words('新店 香山 金海 内厝 马巷 大嶝'),
    roads: words('翔安南路 新店路 舫山路 马巷路 民安大道 翔安大道 洪钟大道') },
];
const CITY = '滨海市';
const CITY_CODE = '350200';
/** Where people come from who were not born here: Fujian first, then the usual provinces. */
const ELSEWHERE = words('350102 350104 350181 350521 350524 350583 350623 350681 350802 350902 360102 360722 362502 430521 420111 411302 510104 522101 450102 440106 330106 320106');
const LANDMARKS = words('火车站 高崎机场 轮渡码头 会展中心 软件园 大学城 市政府 体育中心 市民广场 五缘湾 白鹭洲 园博苑 集美学村 海湾公园 东渡码头 观音山 杏林湾 马銮湾 同安城区 翔安新城 科技园 国际邮轮中心');
const TRADE = words('鑫 宏 恒 华 嘉 海 金 星 瑞 万 信 和 腾 永 汇 鼎 聚 启 博 弘 云 正 天 明 安 佳 盛 通 达 丰 源 福 兴 荣 祥 泰 昌 隆 德 远 航 鹭 港 湾 蓝 新 立 创 优 凯 晨 润 益 融 合 利 景 辰 泓 睿 骏 翔 禾 川 峰 宸');

// ---------------------------------------------------------------------------------------------
// People

const SURNAMES = words('陈 林 黄 张 李 王 吴 刘 蔡 杨 郑 许 洪 谢 郭 曾 苏 叶 庄 周 何 柯 邱 徐 卢 傅 施 江 高 颜 赵 罗 孙 朱 胡 马 梁 宋 唐 韩 冯 邓 曹 彭 肖 田 董 袁 潘 蒋 余 杜 程 魏 吕 丁 沈 姚 钟 汪 范 方 石 廖 温 连 戴 欧阳 司马');
const MALE = words('伟 强 磊 军 勇 杰 涛 斌 超 明 辉 鹏 华 飞 刚 平 建 国 志 文 俊 浩 宇 轩 晨 博 鑫 昊 凯 峰 健 亮 成 林 海 东 荣 新 福 水 金 清 阳 振 永 立 德 毅 泽 锋 龙 彬 翔 坤 忠 庆 宏');
const FEMALE = words('丽 娟 敏 静 燕 艳 芳 婷 雪 琳 慧 欣 怡 颖 洁 玲 霞 萍 红 梅 倩 晶 佳 雅 嘉 思 诗 涵 悦 瑶 蓉 蕾 薇 秀 兰 英 凤 月 珍 莉 琴 霖 晓 素 美 惠 淑 碧 茹 丹');
const BABY_MALE = words('子轩 浩宇 宇轩 梓豪 俊熙 一鸣 沐宸 昊然 奕辰 睿泽 浩然 宸睿 子墨 铭泽 梓睿 博文 皓轩 安然');
const BABY_FEMALE = words('梓涵 欣怡 一诺 若汐 语桐 依诺 子涵 雨桐 可馨 诗涵 梦瑶 思妍 芷若 悦然 欣妍 沐瑶 语嫣 安琪');
const MOBILE_PREFIXES = words('130 131 132 133 134 135 136 137 138 139 150 151 152 153 155 156 157 158 159 166 177 180 181 182 183 184 185 186 187 188 189 191 198 199');

interface Person {
  surname: string;
  name: string;
  sex: 'M' | 'F';
  /** Day of birth. */
  birth: number;
  id: string;
  mobile: string;
}

/** How old people in a role are: at `asOf`, at the row's date of `at`, or at their baby's birth. */
const AGES: { role: RegExp; sex?: 'M' | 'F'; min: number; max: number; at?: RegExp | 'baby' }[] = [
  { role: /新生儿|婴儿/, min: 0, max: 0 },
  { role: /母亲/, sex: 'F', min: 21, max: 40, at: 'baby' },
  { role: /父亲/, sex: 'M', min: 23, max: 45, at: 'baby' },
  { role: /男方/, sex: 'M', min: 22, max: 45, at: /登记日期/ },
  { role: /女方/, sex: 'F', min: 20, max: 42, at: /登记日期/ },
  { role: /法定代表人|经营者|负责人/, min: 25, max: 66 },
  { role: /.*/, min: 18, max: 80 },
];

// ---------------------------------------------------------------------------------------------
// Organisations: 统一社会信用代码 (GB 32100) with an organisation code (GB 11714) inside

const USCC_CHARS = '0123456789ABCDEFGHJKLMNPQRTUWXY';
const ORG_WEIGHTS = [3, 7, 9, 10, 5, 8, 4, 2];

/** The check character of an 8-character organisation code body (GB 11714). */
function orgCodeCheck(body: string): string {
  let sum = 0;
  for (let i = 0; i < 8; i++) {
    const c = body.charCodeAt(i);
    sum += (c <= 57 ? c - 48 : c - 55) * ORG_WEIGHTS[i];
  }
  const v = 11 - (sum % 11);
  return v === 10 ? 'X' : v === 11 ? '0' : String(v);
}

/** An 18-character 统一社会信用代码: registering authority and kind, region, organisation code, check character. */
function usccOf(rng: Rng, kind: string, region: string, founded: number): string {
  let body: string;
  if ((kind === '91' || kind === '92') && founded >= dayOf('2015-10-01')) {
    body = 'MA';
    for (let i = 0; i < 6; i++) body += rng.char(USCC_CHARS);
  } else if (kind.startsWith('5')) {
    body = 'MJ' + rng.digits(6);
  } else {
    body = rng.pick(['7', '6', '4', '2']) + rng.digits(7);
  }
  return withUsccCheck(kind + region + body + orgCodeCheck(body));
}

interface Entity {
  name: string;
  uscc: string;
  founded: number;
  /** 有限公司, 股份有限公司, 个体, 事业单位, 社会组织 */
  form: string;
}

/** What kinds of organisations a register holds, by a keyword of the resource's name. */
interface Flavor {
  re: RegExp;
  /** Share of 个体工商户 among the organisations. */
  individual?: number;
  industries?: string[];
  shops?: string[];
  /** 经营范围 / 服务范围 / 业务范围: phrases, a few of which make one value. */
  scope?: string[];
  /** ... or whole values, one of which is taken. */
  scopes?: string[];
  /** Registered capital, 万元. */
  capital?: [number, number];
  /** Ages of the register's people (its subject), when not the usual adults. */
  ages?: [number, number];
  /** Organisations that are not companies: their name and USCC kind. */
  org?: (ctx: RowContext, d: District) => { name: string; kind: string };
}

const GENERAL = words('贸易 科技 网络科技 信息技术 电子商务 建设工程 建筑装饰工程 物流 供应链管理 餐饮管理 食品 电子 机械设备 进出口 文化传媒 广告 企业管理咨询 房地产开发 物业管理 医疗器械 生物科技 新材料 环保科技 智能科技 汽车服务 家居 服装 茶业 水产 包装 印刷 酒店管理 教育科技 软件 光电 新能源 海洋科技');
const SHOPS = words('小吃店 便利店 五金店 理发店 水果店 服装店 茶叶店 汽车维修部 烟酒商行 手机维修店 餐馆 干洗店 花店 文具店 沙茶面馆 海鲜排档 奶茶店 副食品店 美甲店 电动车行 建材商行 家电维修部');
const FOOD_SHOPS = words('小吃店 餐馆 沙茶面馆 海鲜排档 奶茶店 副食品店 便利店 面包店 火锅店 快餐店 烧烤店 卤味店 粥铺');
/** 经营范围 of 个体工商户 by kind of shop. */
// prettier-ignore
const SHOP_SCOPE: [RegExp, string][] = [
  [/小吃|餐馆|面馆|排档|奶茶|快餐|烧烤|卤味|粥铺|火锅|面包/, '许可项目：小餐饮；食品销售。一般项目：食品销售（仅销售预包装食品）'],
  [/便利|副食品|烟酒/, '许可项目：烟草制品零售；食品销售。一般项目：食品销售（仅销售预包装食品）；日用百货销售'],
  [/五金|建材/, '一般项目：五金产品零售；建筑材料销售'],
  [/理发|美甲/, '许可项目：理发服务。一般项目：美甲服务；化妆品零售'],
  [/水果/, '一般项目：新鲜水果零售；食品销售（仅销售预包装食品）'],
  [/服装/, '一般项目：服装服饰零售；鞋帽零售'],
  [/茶叶/, '一般项目：茶具销售；食品销售（仅销售预包装食品）'],
  [/汽车维修/, '一般项目：机动车修理和维护；汽车零配件零售'],
  [/手机/, '一般项目：通讯设备修理；通信设备销售'],
  [/干洗/, '一般项目：洗染服务'],
  [/花店/, '一般项目：花卉绿植零售'],
  [/文具/, '一般项目：文具用品零售；办公用品销售'],
  [/电动车/, '一般项目：电动自行车销售；自行车修理'],
  [/家电/, '一般项目：家用电器修理；日用电器修理'],
];
const COMPANY_SCOPE = words('技术服务、技术开发、技术咨询、技术交流、技术转让、技术推广 软件开发 信息系统集成服务 货物进出口 技术进出口 日用百货销售 五金产品批发 建筑材料销售 国内贸易代理 供应链管理服务 企业管理咨询 市场营销策划 会议及展览服务 广告设计、代理 物业管理 餐饮管理 普通货物仓储服务 国内货物运输代理 办公用品销售 电子产品销售 服装服饰零售 食品销售（仅销售预包装食品）');

// prettier-ignore
const FLAVORS: Flavor[] = [
  { re: /个体工商户/, individual: 1 },
  { re: /食品经营/, individual: 0.55, industries: words('餐饮管理 食品 餐饮 超市 食品贸易 连锁餐饮'), shops: FOOD_SHOPS },
  { re: /医疗机构/, org: (ctx, d) => {
      const type = String(ctx.value(/机构类别/) ?? '诊所');
      const place = ctx.rng.chance(0.5) ? d.name : CITY;
      if (/社区卫生服务中心/.test(type)) return { name: `${CITY}${d.name}${ctx.rng.pick(d.streets)}街道社区卫生服务中心`, kind: '12' };
      if (/医院/.test(type)) return { name: `${place}${ctx.trade()}${type.replace('综合医院', '医院')}`, kind: ctx.rng.chance(0.4) ? '12' : '52' };
      return { name: `${CITY}${d.name}${ctx.trade()}${type === '门诊部' ? ctx.rng.pick(['综合门诊部', '口腔门诊部', '中医门诊部']) : ctx.rng.pick(['诊所', '口腔诊所', '中医诊所', '内科诊所'])}`, kind: ctx.rng.chance(0.5) ? '52' : '91' };
    } },
  { re: /人力资源服务/, industries: words('人力资源服务 人力资源管理 人才服务 劳务服务 人力资源开发'),
    scope: words('职业介绍 人才推荐 人才招聘 人才测评 劳务派遣 人力资源外包 人力资源管理咨询 人力资源培训 高级人才寻访 网络招聘服务') },
  { re: /旅行社/, industries: words('国际旅行社 旅行社 国际旅游 旅游服务'), scopes: ['国内旅游业务和入境旅游业务', '国内旅游业务、入境旅游业务和出境旅游业务'] },
  { re: /小额贷款/, industries: ['小额贷款'], capital: [10_000, 60_000] },
  { re: /融资担保/, industries: ['融资担保'], capital: [10_000, 100_000],
    scope: words('借款类担保业务 发行债券担保业务 其他融资担保业务 诉讼保全担保 履约担保 工程履约担保 与担保业务有关的融资咨询、财务顾问等中介服务 以自有资金进行投资') },
  { re: /金融组织/, industries: words('小额贷款 融资担保 典当 融资租赁 商业保理') },
  { re: /道路运输/, industries: words('运输 物流 汽车运输 客运 汽车维修服务 货运代理 集装箱运输'),
    scope: words('道路普通货物运输 道路旅客运输（班车客运） 道路旅客运输（包车客运） 道路货物专用运输（集装箱） 道路危险货物运输 一类机动车维修（小型车辆维修） 二类机动车维修（大中型货车维修） 机动车驾驶员培训') },
  { re: /养老/, org: (ctx, d) => ({ name: `${CITY}${d.name}${ctx.trade()}${ctx.value(/机构类型/) ?? '养老院'}`, kind: '52' }) },
  { re: /社会组织/, org: (ctx, d) => {
      const type = String(ctx.value(/组织类型/) ?? '备案社区社会组织');
      const what = type === '民办非企业单位' ? ctx.rng.pick(['社会工作服务中心', '居家养老服务中心', '社区服务中心', '青少年活动中心']) : ctx.rng.pick(['志愿服务队', '老年协会', '文体协会', '书画协会', '舞蹈队', '睦邻互助会', '南音社', '读书会', '环保志愿队']);
      return { name: `${d.name}${ctx.rng.pick(d.streets)}街道${ctx.community()}${what}`, kind: type === '民办非企业单位' ? '52' : '51' };
    } },
  { re: /饭店|酒店/, org: (ctx) => {
      const stars = String(ctx.value(/星级/) ?? '');
      return { name: `${CITY}${ctx.trade()}${/五|四/.test(stars) ? ctx.rng.pick(['大酒店', '国际酒店', '海景大酒店', '君悦酒店']) : ctx.rng.pick(['酒店', '宾馆', '商务酒店', '假日酒店'])}`, kind: '91' };
    } },
  { re: /文化场馆/, org: (ctx, d) => {
      const kind = String(ctx.value(/场馆类型/) ?? '文化馆');
      const theme = kind === '博物馆' || kind === '纪念馆' ? ctx.rng.pick(['华侨', '海洋', '闽南民俗', '城市规划', '陶瓷', '茶文化', '船政', '侨批', '科举']) : '';
      return { name: ctx.rng.pick([`${CITY}${theme}${kind}`, `${CITY}${d.name}${theme}${kind}`, `${CITY}${ctx.trade()}${theme}${kind}`]), kind: '12' };
    } },
  { re: /接种门诊/, org: (ctx, d) => ({ name: `${CITY}${d.name}${ctx.rng.pick(d.streets)}街道社区卫生服务中心预防接种门诊`, kind: '12' }) },
  { re: /医师/, ages: [26, 64] },
  { re: /驾驶员/, ages: [22, 60] },
  { re: /技能等级/, ages: [18, 58] },
  { re: /就业困难/, ages: [18, 59] },
  { re: /常住人口/, ages: [0, 95] },
  { re: /违法犯罪/, ages: [16, 70] },
  { re: /最低生活保障/, ages: [25, 88] },
  { re: /.*/ },
];

// ---------------------------------------------------------------------------------------------
// Vocabularies of the hints

const BANKS = words('中国工商银行 中国农业银行 中国银行 中国建设银行 交通银行 中国邮政储蓄银行 兴业银行 招商银行 滨海农村商业银行 滨海银行');
const HOSPITALS = words('滨海市第一医院 滨海市中心医院 滨海市中医院 滨海市妇幼保健院 滨海市儿童医院 滨海市第三医院 滨海市眼科中心 滨海市口腔医院 滨海大学附属第一医院 滨海大学附属中山医院 滨海市海沧医院 滨海市同安区中医医院 滨海市翔安医院 滨海市集美区第二医院');
const CLINICAL_DEPARTMENTS = words('心血管内科 消化内科 呼吸与危重症医学科 神经内科 内分泌科 肾内科 普外科 骨科 泌尿外科 妇科 产科 儿科 眼科 耳鼻喉科 口腔科 皮肤科 中医科 康复医学科 肿瘤科 感染科');
const TITLES = ['主治医师', '副主任医师', '主任医师', '住院医师'];
const SUBJECTS: Record<string, string[]> = {
  医院: words('内科 外科 妇产科 儿科 眼科 耳鼻咽喉科 口腔科 皮肤科 精神科 急诊医学科 康复医学科 麻醉科 医学检验科 病理科 医学影像科 中医科'),
  社区卫生服务中心: words('预防保健科 全科医疗科 内科 中医科 口腔科 康复医学科 医学检验科 医学影像科'),
  诊所: words('内科 外科 口腔科 中医科 儿科 皮肤科'),
};
const FOOD_ITEMS = words('预包装食品（含冷藏冷冻食品）销售 散装食品（含冷藏冷冻食品）销售 特殊食品销售（保健食品） 热食类食品制售 冷食类食品制售 自制饮品制售 糕点类食品制售 生食类食品制售（限生鱼片）');
const VIOLATIONS = ['未按规定公示即时信息', '销售不符合食品安全标准的食品', '发布虚假广告', '无照经营', '不明码标价', '销售侵犯注册商标专用权的商品', '未取得许可从事食品经营', '使用未经检验的特种设备', '使用未经检定的计量器具', '虚假宣传', '销售不合格产品', '未建立进货查验记录制度'];
const LIST_REASONS = ['未依照《企业信息公示暂行条例》第八条规定的期限公示年度报告', '通过登记的住所或者经营场所无法联系', '公示企业信息隐瞒真实情况、弄虚作假', '未在市场监督管理部门责令的期限内公示有关企业信息'];
const REMOVE_REASONS = ['补报未报年份的年度报告并公示', '依法办理住所或经营场所变更登记', '提出通过登记的住所或者经营场所可以重新取得联系', '更正其公示的信息'];
const ETHNIC = ['汉族', '汉族', '汉族', '汉族', '汉族', '汉族', '汉族', '汉族', '汉族', '汉族', '汉族', '汉族', '畲族', '回族', '满族', '壮族', '土家族', '苗族', '高山族'];
const VEHICLES = ['小型普通客车', '小型普通客车', '小型普通客车', '小型普通客车', '小型越野客车', '小型轿车', '中型普通客车', '轻型厢式货车', '重型半挂牵引车', '普通二轮摩托车', '大型普通客车'];
const BRANDS = words('大众牌 丰田牌 本田牌 日产牌 比亚迪牌 吉利牌 长安牌 别克牌 宝马牌 奔驰牌 特斯拉牌 五菱牌 哈弗牌 奇瑞牌 广汽传祺牌 理想牌 蔚来牌');
const OUTCOMES = ['行政拘留十日', '行政拘留五日并处罚款五百元', '罚款二百元', '警告', '刑事拘留', '取保候审', '移送审查起诉', '判处有期徒刑一年', '判处拘役三个月', '行政拘留七日'];
const OCCUPATIONS = words('电工 焊工 育婴员 保育员 中式烹调师 中式面点师 美容师 养老护理员 汽车维修工 电子商务师 保安员 茶艺师 家政服务员 钳工 企业人力资源管理师 健康管理师 网络与信息安全管理员 互联网营销师 西式面点师 眼镜验光员');
const PRACTICE: Record<string, string[]> = {
  临床: words('内科专业 外科专业 妇产科专业 儿科专业 眼耳鼻咽喉科专业 医学影像和放射治疗专业 急救医学专业 全科医学专业 精神卫生专业 康复医学专业'),
  中医: words('中医专业 中西医结合专业 全科医学专业'),
  口腔: words('口腔专业'),
  公共卫生: words('公共卫生类别专业'),
};
const VACCINES = words('乙肝疫苗 卡介苗 脊灰疫苗 百白破疫苗 麻腮风疫苗 乙脑疫苗 流脑疫苗 甲肝疫苗 水痘疫苗 流感疫苗 HPV疫苗 狂犬病疫苗 肺炎球菌疫苗 带状疱疹疫苗');
const FUND_USES = ['补充流动资金', '购买原材料', '设备更新改造', '支付货款', '扩大生产规模', '研发投入', '厂房租金', '订单生产'];

// ---------------------------------------------------------------------------------------------
// Hints: what a value looks like, by label keyword; `undefined` declines (the definition decides)

type Raw = string | number | boolean | null;
type Hint = { re: RegExp; types: string; when?: (item: ResourceItem) => boolean; gen: (ctx: RowContext, item: ResourceItem) => Raw | undefined };

const PERSON_SUFFIX = /(姓名|名字|公民身份号码|身份证号码|身份证号|身份证明号码|身份号码|手机号码|手机|性别|出生日期|出生时间)$/;
const isPersonName = (i: ResourceItem) => i.mask === 'name' || /姓名$|^法定代表人$|^所有人$|^负责人$|^联系人$/.test(i.label);
const ENTITY_NAME = /(企业|主体|个体工商户|经营者|当事人|业户|单位|机构|旅行社|公司|组织|饭店|场馆|场所|门诊)名称$|^用人单位$/;

/** Days in the past, more of them recent: up to `years` back. */
const past = (ctx: RowContext, years: number, skew = 1.5) => ctx.asOf - 1 - Math.floor(years * YEAR * ctx.rng.next() ** skew);

/** A date of something a person did as an adult (参保, 认定, 注册): after 18, before `asOf`. */
function adultEvent(ctx: RowContext, years: number): number {
  const from = ctx.hasPerson ? ctx.person().birth + 18 * YEAR : -Infinity;
  const d = past(ctx, years);
  return d >= from ? d : Math.min(ctx.asOf - 1, from + ctx.rng.int(0, 3 * YEAR));
}

function phrases(ctx: RowContext, list: readonly string[], min: number, max: number, sep = '；'): string {
  const n = Math.min(list.length, ctx.rng.int(min, max));
  const chosen = new Set<string>();
  while (chosen.size < n) chosen.add(ctx.rng.pick(list));
  return list.filter((x) => chosen.has(x)).join(sep);
}

function address(ctx: RowContext, d = ctx.district()): string {
  const r = ctx.rng;
  const base = `${CITY}${d.name}${r.pick(d.roads)}${Math.floor(r.logUniform(1, 600))}号`;
  const k = r.next();
  if (k < 0.35) return base;
  if (k < 0.6) return `${base}${r.int(1, 12)}号楼${r.int(1, 28)}0${r.int(1, 8)}室`;
  if (k < 0.8) return `${base}${ctx.trade()}大厦${r.int(2, 36)}层`;
  return `${base}之${r.int(1, 9)}`;
}

const landline = (ctx: RowContext) => `0592-${ctx.rng.int(2, 8)}${ctx.rng.digits(6)}`;
const clock = (m: number) => `${pad(Math.floor(m / 60), 2)}:${pad(m % 60, 2)}`;

// prettier-ignore
const HINTS: Hint[] = [
  // people
  { re: /./, types: 'C', when: isPersonName, gen: (ctx, i) => ctx.person(ctx.roleOf(i)).name },
  { re: /身份证|身份号码|身份证明号码/, types: 'C', gen: (ctx, i) => ctx.person(ctx.roleOf(i)).id },
  { re: /驾驶员证号/, types: 'C', gen: (ctx) => ctx.person().id },
  { re: /性别/, types: 'C', gen: (ctx, i) => (ctx.person(ctx.roleOf(i)).sex === 'M' ? '男' : '女') },
  { re: /出生日期/, types: 'D', gen: (ctx, i) => (ctx.hasPerson ? ctx.person(ctx.roleOf(i)).birth : undefined) },
  { re: /出生时间/, types: 'T', gen: (ctx, i) => ctx.person(ctx.roleOf(i)).birth * DAY_MS + ctx.rng.int(0, 1439) * 60_000 },
  { re: /手机/, types: 'C', gen: (ctx, i) => ctx.person(ctx.roleOf(i)).mobile },
  { re: /民族/, types: 'C', gen: (ctx) => ctx.rng.pick(ETHNIC) },

  // organisations
  { re: ENTITY_NAME, types: 'C', gen: (ctx) => ctx.entity().name },
  { re: /企业类型/, types: 'C', gen: (ctx) => {
      const f = ctx.entity().form;
      return f === '股份有限公司' ? ctx.rng.pick(['股份有限公司（非上市、自然人投资或控股）', '股份有限公司（非上市、国有控股）']) : ctx.rng.zipf(['有限责任公司（自然人投资或控股）', '有限责任公司（自然人独资）', '有限责任公司（法人独资）', '有限责任公司（外商投资企业法人独资）', '有限责任公司（国有控股）']);
    } },
  { re: /成立日期|注册日期/, types: 'D', gen: (ctx) => (ctx.hasEntity ? ctx.entity().founded : adultEvent(ctx, 12)) },
  { re: /注册资本/, types: 'NY', gen: (ctx) => {
      const [lo, hi] = ctx.flavor.capital ?? [3, 5000];
      return ctx.rng.chance(0.6) ? round(ctx.rng.logUniform(lo, hi), ctx.rng.pick([10, 50, 100])) : Math.round(ctx.rng.logUniform(lo, hi) * 100) / 100;
    } },
  { re: /经营范围|服务范围|业务范围/, types: 'CM', gen: (ctx) => {
      if (ctx.flavor.scopes) return ctx.rng.zipf(ctx.flavor.scopes);
      if (ctx.flavor.scope) return phrases(ctx, ctx.flavor.scope, 2, 5);
      if (ctx.hasEntity && ctx.entity().form === '个体') {
        const name = ctx.entity().name;
        return `${SHOP_SCOPE.find(([re]) => re.test(name))?.[1] ?? '一般项目：日用百货销售'}。（除依法须经批准的项目外，凭营业执照依法自主开展经营活动）`;
      }
      if (ctx.flavor.org) return ctx.rng.pick(['开展社区志愿服务、文体活动和邻里互助', '为社区居民提供养老、助残和青少年服务', '组织开展文艺演出、书画交流和健身活动', '调解邻里纠纷，开展普法宣传']);
      return `一般项目：${phrases(ctx, COMPANY_SCOPE, 3, 7)}。（除依法须经批准的项目外，凭营业执照依法自主开展经营活动）`;
    } },
  { re: /登记机关|作出决定机关|发证机关/, types: 'C', gen: (ctx) => (ctx.rng.chance(0.3) ? ctx.department.name : ctx.department.name.replace(CITY, CITY + ctx.district().name)) },
  { re: /主体业态/, types: 'C', gen: (ctx, i) => {
      const name = ctx.entity().name;
      const form = /食堂/.test(name) ? '单位食堂' : ctx.entity().form === '个体' ? (SHOP_SCOPE[0][0].test(name) ? '餐饮服务经营者' : '食品销售经营者') : /餐饮/.test(name) ? '餐饮服务经营者' : undefined;
      return form && i.enum?.includes(form) ? form : undefined;
    } },
  { re: /经营项目/, types: 'CM', gen: (ctx) => (String(ctx.value(/主体业态/) ?? '').startsWith('食品销售') ? phrases(ctx, FOOD_ITEMS.slice(0, 3), 1, 3) : phrases(ctx, FOOD_ITEMS, 1, 4)) },
  { re: /评价机构/, types: 'C', gen: (ctx) => ctx.canon('评价机构', 8, (r, i) => (i === 0 ? `${CITY}职业技能鉴定指导中心` : `${CITY}${r.pick(TRADE)}${r.pick(TRADE)}职业培训学校`)) },
  { re: /服务平台公司/, types: 'C', gen: (ctx) => ctx.canon('网约车平台', 6, (r) => `${r.pick(TRADE)}${r.pick(TRADE)}出行科技有限公司`, 1.2) },
  { re: /运营单位/, types: 'C', gen: (ctx) => ctx.rng.zipf([`${CITY}公交集团有限公司`, `${CITY}${ctx.canon('公交', 1, (r) => r.pick(TRADE) + r.pick(TRADE))}公共交通有限公司`, `${CITY}快速公交运营有限公司`]) },
  { re: /所属金融机构/, types: 'C', gen: (ctx) => ctx.rng.zipf(BANKS, 0.6) },
  { re: /站点名称/, types: 'C', gen: (ctx) => {
      if (ctx.has(/所属金融机构/)) {
        const bank = String(ctx.value(/所属金融机构/) ?? ctx.rng.zipf(BANKS, 0.6));
        return ctx.rng.chance(0.7) ? `${bank}${CITY}${ctx.district().name}${ctx.rng.pick(ctx.district().roads).replace(/(大道|路|道|街|大街)$/, '')}支行` : `${ctx.district().name}${ctx.rng.pick(ctx.district().streets)}街道金融驿站`;
      }
      return ctx.busStop();
    } },

  // licences, certificates, case and document numbers
  { re: /许可证编号/, types: 'C', when: (i) => (i.pattern ?? '').startsWith('^JY'), gen: (ctx) => {
      const form = String(ctx.value(/主体业态/) ?? '');
      return `JY${form.startsWith('餐饮') ? 2 : form.startsWith('单位') ? 3 : 1}${ctx.district().code}${pad(ctx.i + 1, 6)}${ctx.rng.int(0, 9)}`;
    } },
  { re: /旅行社.*许可证号/, types: 'C', gen: (ctx) => `L-FJ-${pad(ctx.i + 100, 5)}` },
  { re: /^许可证编号$/, types: 'C', gen: (ctx) => `（闽）人服证字〔${yearOf(past(ctx, 8))}〕第${ctx.district().code.slice(2)}${pad(ctx.i + 1, 4)}号` },
  { re: /经营许可证编号/, types: 'C', gen: (ctx) => `闽${ctx.district().code.slice(2, 4)}${pad(ctx.i + 1, 4)}` },
  { re: /经营许可证号/, types: 'C', gen: (ctx) => `${ctx.district().code}${pad(ctx.i + 1, 6)}` },
  { re: /^登记号$/, types: 'C', gen: (ctx) => `PDY${pad(ctx.i + 1, 5)}X${ctx.district().code}${ctx.rng.pick(['1', '2', '7'])}${ctx.rng.pick(['A', 'B', 'D'])}${ctx.rng.digits(4)}` },
  { re: /医师执业证书编码/, types: 'C', gen: (ctx) => `${ctx.rng.int(1, 2)}${ctx.rng.int(1, 4)}0${ctx.district().code}${pad(ctx.i + 1, 6)}` },
  { re: /^证书编号$/, types: 'C', gen: (ctx) => `S${pad(ctx.rng.int(1, 99), 4)}${ctx.district().code}${String(yearOf(past(ctx, 6))).slice(2)}${pad(ctx.i + 1, 6)}` },
  { re: /^证件编号$/, types: 'C', gen: (ctx) => {
      const kind = String(ctx.value(/登记类型/) ?? '结婚');
      const day = ctx.value(/登记日期/);
      return `${kind === '离婚' ? 'L' : kind === '补领' ? 'BJ' : 'J'}${ctx.district().code}-${typeof day === 'number' ? yearOf(day) : yearOf(ctx.asOf)}-${pad(ctx.i + 1, 6)}`;
    } },
  { re: /处罚决定书文号/, types: 'C', gen: (ctx) => {
      const day = ctx.value(/处罚决定日期/);
      return `滨市监${ctx.rng.pick(['', '思', '湖', '集', '海', '同', '翔'])}处罚〔${typeof day === 'number' ? yearOf(day) : yearOf(ctx.asOf)}〕${ctx.i + 1}号`;
    } },
  { re: /案件编号/, types: 'C', gen: (ctx) => `A${ctx.district().code}${ctx.rng.digits(6)}${compact(past(ctx, 5)).slice(0, 6)}${pad(ctx.i + 1, 4)}` },
  { re: /号牌号码/, types: 'C', gen: (ctx) => {
      const r = ctx.rng;
      if (r.chance(0.18)) return `闽D${r.pick(['D', 'F'])}${r.digits(5)}`;
      let tail = '';
      for (let k = 0; k < 5; k++) tail += r.chance(k === 0 ? 0.5 : 0.25) ? r.char('ABCDEFGHJKLMNPQRSTUVWXYZ') : String(r.int(0, 9));
      return `闽D${tail}`;
    } },
  { re: /站点编号|线路编号/, types: 'C', when: (i) => /站点/.test(i.label), gen: (ctx) => `${ctx.district().code.slice(4)}${pad(ctx.i + 1, 5)}` },
  { re: /线路编号/, types: 'C', gen: (ctx) => {
      const base = Math.ceil(ctx.n * 0.85);
      return ctx.i < base ? String(ctx.i + 1) : `${['BRT', '快', 'N', 'K'][ctx.i % 4]}${Math.floor((ctx.i - base) / 4) + 1}`;
    } },

  // transport and places
  { re: /线路名称/, types: 'C', gen: (ctx) => {
      const no = String(ctx.value(/线路编号/) ?? ctx.i + 1);
      return no.startsWith('N') ? `夜班${no.slice(1)}路` : no.startsWith('BRT') ? `BRT快${no.slice(3)}线` : `${no}路`;
    } },
  { re: /起点站|终点站/, types: 'C', gen: (ctx) => ctx.busStop() },
  { re: /途经线路/, types: 'C', gen: (ctx) => Array.from({ length: ctx.rng.int(1, 6) }, () => `${ctx.rng.int(1, 420)}路`).filter((x, k, a) => a.indexOf(x) === k).join('、') },
  { re: /首班时间/, types: 'C', gen: (ctx) => clock(ctx.rng.int(33, 45) * 10) },
  { re: /末班时间/, types: 'C', gen: (ctx) => clock(ctx.rng.int(114, 141) * 10) },
  { re: /^票价/, types: 'NY', gen: (ctx) => ctx.rng.zipf([1, 2, 3, 5]) },
  { re: /车辆类型/, types: 'C', gen: (ctx) => ctx.rng.pick(VEHICLES) },
  { re: /品牌型号/, types: 'C', gen: (ctx) => `${ctx.rng.zipf(BRANDS, 0.5)}${ctx.rng.pick(['SVW', 'GTM', 'BYD', 'JL', 'SC', 'LZW', 'HFC', 'MR'])}${ctx.rng.digits(4)}${ctx.rng.pick(['', 'A', 'BEV', 'DAS', 'ST'])}` },
  { re: /景区名称/, types: 'C', gen: (ctx) => ctx.scenic(ctx.i) },
  { re: /最大承载量/, types: 'I', gen: (ctx) => {
      const name = ctx.value(/景区名称/);
      return round((typeof name === 'string' ? new Rng(name) : ctx.rng).logUniform(1500, 65_000), 100);
    } },
  { re: /当前在园人数/, types: 'I', gen: (ctx) => Math.round(Number(ctx.value(/最大承载量/) ?? 5000) * ctx.load()) },
  { re: /舒适度/, types: 'C', gen: (ctx) => { const l = ctx.load(); return l < 0.3 ? '舒适' : l < 0.5 ? '较舒适' : l < 0.8 ? '一般' : '拥挤'; } },
  { re: /医院名称|主要执业机构/, types: 'C', gen: (ctx) => ctx.rng.zipf(HOSPITALS, 0.7) },
  { re: /出生地点/, types: 'C', gen: (ctx) => ctx.rng.zipf(HOSPITALS.filter((h) => !/眼科|口腔|儿童/.test(h)), 0.8) },
  { re: /科室/, types: 'C', gen: (ctx) => ctx.rng.pick(CLINICAL_DEPARTMENTS) },
  { re: /医生职称/, types: 'C', gen: (ctx) => ctx.rng.zipf(TITLES) },
  { re: /机构类别/, types: 'C', gen: (ctx) => ctx.rng.zipf(['诊所', '门诊部', '社区卫生服务中心', '综合医院', '中医医院', '专科医院', '口腔医院', '妇幼保健院'], 0.8) },
  { re: /诊疗科目/, types: 'CM', gen: (ctx) => {
      const type = String(ctx.value(/机构类别/) ?? '诊所');
      return phrases(ctx, /医院/.test(type) ? SUBJECTS.医院 : /中心/.test(type) ? SUBJECTS.社区卫生服务中心 : SUBJECTS.诊所, 2, 8);
    } },
  { re: /执业范围/, types: 'C', gen: (ctx) => ctx.rng.pick(PRACTICE[String(ctx.value(/执业类别/) ?? '临床')] ?? PRACTICE.临床) },
  { re: /可接种疫苗/, types: 'C', gen: (ctx) => phrases(ctx, VACCINES, 5, 12, '、') },
  { re: /服务时间/, types: 'C', gen: (ctx) => ctx.rng.pick(['周一至周五 8:00-12:00，14:30-17:30', '周一至周日 9:00-17:00', '周一至周五 8:30-17:00，周六 8:30-12:00', '周一至周六 8:00-11:30，14:30-17:00', '周一至周日 8:00-20:00']) },
  { re: /开放时间/, types: 'C', gen: (ctx) => ctx.rng.pick(['9:00-17:00（16:30停止入场，周一闭馆）', '8:30-17:30（16:30停止入园）', '全天开放', '周二至周日 9:00-21:00', '7:30-18:00', '9:00-17:30（周一闭馆，法定节假日除外）']) },
  { re: /服务内容/, types: 'C', gen: (ctx) => phrases(ctx, words('存取款 转账汇款 社保卡激活 理财咨询 小微企业贷款受理 反假币宣传 助农取款 电子银行开通 征信查询'), 3, 6, '、') },
  { re: /经营区域/, types: 'C', gen: (ctx) => (ctx.rng.chance(0.6) ? `${CITY}行政区域内` : `${CITY}${ctx.district().name}行政区域内`) },
  { re: /收费标准/, types: 'C', gen: (ctx) => {
      const kind = String(ctx.value(/机构类型/) ?? '');
      if (kind === '长者食堂') return `午餐${ctx.rng.int(12, 18)}元/餐，60周岁以上老人补贴后${ctx.rng.int(6, 10)}元/餐`;
      if (kind === '日间照料中心') return `日托${ctx.rng.int(30, 80)}元/天，助餐${ctx.rng.int(10, 15)}元/餐`;
      const base = round(ctx.rng.int(1800, 3500), 100);
      return `自理${base}元/月起，半失能${base + round(ctx.rng.int(800, 1500), 100)}元/月起，失能${base + round(ctx.rng.int(2000, 3500), 100)}元/月起`;
    } },
  { re: /所属街道/, types: 'C', gen: (ctx) => `${ctx.rng.pick(ctx.district().streets)}街道` },
  { re: /所属社区/, types: 'C', gen: (ctx) => `${ctx.community()}社区` },

  // addresses and phones
  { re: /地址|住所|经营场所/, types: 'C', gen: (ctx) => address(ctx) },
  { re: /电话/, types: 'C', gen: (ctx) => (ctx.rng.chance(0.85) ? landline(ctx) : ctx.person('联系人').mobile) },
  { re: /经度/, types: 'NBF', gen: (ctx) => ctx.district().lon + (ctx.rng.next() - 0.5) * 0.06 },
  { re: /纬度/, types: 'NBF', gen: (ctx) => ctx.district().lat + (ctx.rng.next() - 0.5) * 0.05 },

  // market regulation and credit
  { re: /违法行为/, types: 'CM', gen: (ctx) => ctx.rng.zipf(VIOLATIONS, 0.7) },
  { re: /罚没款金额/, types: 'NY', gen: (ctx) => (ctx.rng.chance(0.12) ? 0 : round(ctx.rng.logUniform(500, 300_000), 100)) },
  { re: /处罚内容/, types: 'CM', gen: (ctx) => {
      const amount = Number(ctx.value(/罚没款金额/) ?? 0);
      if (!amount) return '警告';
      const part = round(amount * ctx.rng.next() * 0.4, 100);
      return ctx.rng.chance(0.35) && part < amount ? `没收违法所得人民币${part}元，并处罚款人民币${amount - part}元` : `罚款人民币${amount}元`;
    } },
  { re: /处罚决定日期/, types: 'D', gen: (ctx) => past(ctx, 3, 1.2) },
  { re: /公示截止日期/, types: 'D', gen: (ctx) => Number(ctx.value(/处罚决定日期/) ?? past(ctx, 3)) + (Number(ctx.value(/罚没款金额/) ?? 0) > 100_000 ? 3 * YEAR : YEAR) },
  { re: /列入原因/, types: 'C', gen: (ctx) => ctx.rng.zipf(LIST_REASONS, 1.2) },
  { re: /列入日期/, types: 'D', gen: (ctx) => past(ctx, 6, 1.2) },
  { re: /移出原因/, types: 'C', gen: (ctx) => (ctx.removed() ? ctx.rng.zipf(REMOVE_REASONS) : null) },
  { re: /移出日期/, types: 'D', gen: (ctx) => {
      if (!ctx.removed()) return null;
      const listed = Number(ctx.value(/列入日期/) ?? past(ctx, 6));
      return Math.min(ctx.asOf - 1, listed + ctx.rng.int(20, 2 * YEAR));
    } },

  // validity, issue and event dates
  { re: /发证日期|签发日期|核发日期/, types: 'D', gen: (ctx) => {
      const d = past(ctx, 5, 1);
      return ctx.hasEntity && ctx.entity().founded > d ? Math.min(ctx.asOf - 1, ctx.entity().founded + ctx.rng.int(10, 120)) : d;
    } },
  { re: /有效期至/, types: 'D', gen: (ctx) => {
      const issued = ctx.value(/发证日期|签发日期|核发日期/);
      return (typeof issued === 'number' ? issued : past(ctx, 4, 1)) + 5 * YEAR - 1;
    } },
  { re: /就诊日期/, types: 'D', gen: (ctx) => ctx.asOf + ctx.rng.int(0, 7) },
  { re: /下次检验日期/, types: 'D', gen: (ctx) => ctx.asOf + ctx.rng.int(0, YEAR) },
  { re: /登记日期/, types: 'D', gen: (ctx) => (ctx.hasPerson && !ctx.has(/男方|女方/) ? adultEvent(ctx, 20) : past(ctx, 20, 1.3)) },
  { re: /参保日期|认定日期|批准日期|事故日期/, types: 'D', gen: (ctx) => adultEvent(ctx, 15) },
  { re: /更新时间/, types: 'T', gen: (ctx) => ctx.asOf * DAY_MS - ctx.rng.int(0, 6 * 3600) * 1000 },

  // periods
  { re: /年度/, types: 'CI', gen: (ctx, i) => (i.key ? yearOf(ctx.asOf) - 1 - ctx.i : yearOf(ctx.asOf) - ctx.rng.int(1, 4)) },
  { re: /年月/, types: 'CI', gen: (ctx) => { const d = new Date((ctx.asOf - 20) * DAY_MS); d.setUTCMonth(d.getUTCMonth() - ctx.rng.int(0, 23)); return `${d.getUTCFullYear()}${pad(d.getUTCMonth() + 1, 2)}`; } },

  // employment, social security and assistance
  { re: /人员类别/, types: 'C', when: (i) => Boolean(i.enum?.includes('大龄失业人员')), gen: (ctx, i) => {
      const p = ctx.person();
      const older = ctx.asOf - p.birth > (p.sex === 'M' ? 50 : 40) * YEAR;
      return older && ctx.rng.chance(0.7) ? '大龄失业人员' : ctx.rng.zipf(i.enum!.filter((e) => e !== '大龄失业人员'));
    } },
  { re: /帮扶状态/, types: 'C', gen: (ctx) => ctx.rng.zipf(['帮扶中', '已就业', '待帮扶', '已退出']) },
  { re: /职业（工种）|职业|工种/, types: 'C', gen: (ctx) => ctx.rng.pick(OCCUPATIONS) },
  { re: /参保人数/, types: 'I', gen: (ctx) => Math.round(ctx.rng.logUniform(1, 900)) },
  { re: /欠费金额/, types: 'NY', gen: (ctx) => (ctx.value(/缴费状态/) === '欠费' ? round(ctx.rng.logUniform(800, 400_000), 0.01) : 0) },
  { re: /保障人数/, types: 'I', gen: (ctx) => ctx.rng.zipf([1, 2, 3, 4, 5], 0.9) },
  { re: /保障金额/, types: 'NY', gen: (ctx) => Number(ctx.value(/保障人数/) ?? 1) * round(ctx.rng.int(500, 1200), 10) },
  { re: /处理结果/, types: 'CM', gen: (ctx) => ctx.rng.zipf(OUTCOMES, 0.8) },

  // finance
  { re: /融资金额/, types: 'NY', gen: (ctx) => round(ctx.rng.logUniform(100_000, 20_000_000), 10_000) },
  { re: /融资期限/, types: 'I', gen: (ctx) => ctx.rng.zipf([12, 6, 24, 36, 3, 60]) },
  { re: /资金用途/, types: 'C', gen: (ctx) => ctx.rng.zipf(FUND_USES, 0.7) },
  { re: /主要问题/, types: 'CM', gen: (ctx) => {
      const rating = String(ctx.value(/评级结果/) ?? 'B');
      if (rating === 'A') return '未发现重大问题';
      const issues = ['贷款集中度超过监管要求', '关联交易未按规定报告', '未按时报送监管报表', '拨备覆盖率不足', '存在超范围经营行为', '内控制度执行不到位', '融资担保责任余额放大倍数超标', '股东变更未按规定备案'];
      return phrases(ctx, issues, rating === 'B' ? 1 : 2, rating <= 'C' ? 2 : 4);
    } },
  { re: /保证金/, types: 'NY', gen: (ctx) => (ctx.rng.chance(0.7) ? 200_000 : 1_400_000) },
  { re: /门票价格/, types: 'NY', gen: (ctx) => (ctx.rng.chance(0.3) ? 0 : ctx.rng.pick([20, 30, 35, 40, 50, 60, 80, 100, 120, 150, 180])) },

  // counts
  { re: /户籍人口数/, types: 'I', gen: (ctx) => {
      // each district its own size, growing about 1.5% a year
      const year = Number(ctx.value(/年度/) ?? yearOf(ctx.asOf) - 1);
      const base = new Rng(`population:${ctx.district().code}`).logUniform(200_000, 1_000_000);
      return Math.round(base * 1.015 ** (year - yearOf(ctx.asOf)) * (0.995 + ctx.rng.next() * 0.01));
    } },
  { re: /男性人数/, types: 'I', gen: (ctx) => Math.round(Number(ctx.value(/户籍人口数/) ?? 500_000) * (0.495 + ctx.rng.next() * 0.02)) },
  { re: /女性人数/, types: 'I', gen: (ctx) => {
      const all = ctx.value(/户籍人口数/);
      const male = ctx.value(/男性人数/);
      return typeof all === 'number' && typeof male === 'number' ? all - male : undefined;
    } },
  { re: /出生人数/, types: 'I', gen: (ctx) => Math.round(Number(ctx.value(/户籍人口数/) ?? 500_000) * (0.006 + ctx.rng.next() * 0.006)) },
  { re: /死亡人数/, types: 'I', gen: (ctx) => Math.round(Number(ctx.value(/户籍人口数/) ?? 500_000) * (0.004 + ctx.rng.next() * 0.003)) },
  { re: /床位数/, types: 'I', gen: (ctx) => (/照料|食堂/.test(String(ctx.value(/机构类型/) ?? '')) ? ctx.rng.int(0, 30) : round(ctx.rng.int(30, 420), 10)) },
  { re: /客房数/, types: 'I', gen: (ctx) => { const s = String(ctx.value(/星级/) ?? ''); return /五/.test(s) ? ctx.rng.int(260, 620) : /四/.test(s) ? ctx.rng.int(150, 360) : ctx.rng.int(40, 200); } },
  { re: /座位数/, types: 'I', gen: (ctx) => round(ctx.rng.int(200, 1600), 10) },
  { re: /可借车辆数/, types: 'I', gen: (ctx) => ctx.once('bikes', () => ctx.rng.int(0, ctx.docks())) },
  { re: /可还车位数/, types: 'I', gen: (ctx) => ctx.docks() - Number(ctx.value(/可借车辆数/) ?? 0) },
  { re: /剩余号源数/, types: 'I', gen: (ctx) => Math.floor(60 * ctx.rng.next() ** 2) },
  { re: /人数|数量/, types: 'I', gen: (ctx) => Math.round(ctx.rng.logUniform(1, 1000)) },
];

/** Enums whose values are grades: the middle ones are the common ones (4A, 三星级, B). */
const GRADED = /景区等级|星级|评级结果/;

// ---------------------------------------------------------------------------------------------
// A value for every item, from its definition: check, enum, pattern, type

/** A generator for a simple regular expression (literals, \d, classes, quantifiers), or null. */
export function patternGenerator(pattern: string): ((rng: Rng) => string) | null {
  const parts: { chars: string; min: number; max: number }[] = [];
  let p = pattern;
  if (p.startsWith('^')) p = p.slice(1);
  if (p.endsWith('$') && !p.endsWith('\\$')) p = p.slice(0, -1);
  const range = (a: string, b: string) => Array.from({ length: b.charCodeAt(0) - a.charCodeAt(0) + 1 }, (_, k) => String.fromCharCode(a.charCodeAt(0) + k)).join('');
  const escape = (c: string) => (c === 'd' ? '0123456789' : /[wsWSDbB]/.test(c) ? null : c);
  for (let i = 0; i < p.length; ) {
    let chars: string | null;
    const c = p[i];
    if (c === '\\') {
      chars = escape(p[i + 1]);
      i += 2;
    } else if (c === '[') {
      const end = p.indexOf(']', i + 1);
      if (end < 0 || p[i + 1] === '^') return null;
      const body = p.slice(i + 1, end);
      chars = '';
      for (let k = 0; k < body.length; k++) {
        if (body[k] === '\\') {
          const e = escape(body[k + 1]);
          if (e === null) return null;
          chars += e;
          k++;
        } else if (body[k + 1] === '-' && k + 2 < body.length) {
          chars += range(body[k], body[k + 2]);
          k += 2;
        } else chars += body[k];
      }
      i = end + 1;
    } else if ('().|^$*+?{}'.includes(c)) {
      return null;
    } else {
      chars = c;
      i++;
    }
    if (chars === null || chars === '') return null;
    let min = 1;
    let max = 1;
    const q = /^(?:\{(\d+)(?:,(\d*))?\}|[?*+])/.exec(p.slice(i));
    if (q) {
      if (q[0] === '?') [min, max] = [0, 1];
      else if (q[0] === '*') [min, max] = [0, 3];
      else if (q[0] === '+') [min, max] = [1, 3];
      else [min, max] = [Number(q[1]), q[2] === undefined ? Number(q[1]) : q[2] === '' ? Number(q[1]) + 3 : Number(q[2])];
      i += q[0].length;
    }
    parts.push({ chars, min, max });
  }
  return (rng) => parts.map((t) => Array.from({ length: rng.int(t.min, t.max) }, () => rng.char(t.chars)).join('')).join('');
}

const codePoints = (s: string) => Array.from(s).length;

/** Whether a text value satisfies the item's length, enum, check and pattern. */
function fitsText(item: ResourceItem, v: string, re: RegExp | undefined): boolean {
  if (item.length && v.length > item.length && codePoints(v) > item.length) return false;
  if (item.enum && !item.enum.includes(v)) return false;
  if (item.check === 'uscc' && !isUscc(v)) return false;
  if (item.check === 'id-card' && !isIdCard(v)) return false;
  if (item.check === 'region-code' && !isRegionCode(v)) return false;
  if (item.check === 'mobile' && !isMobile(v)) return false;
  return !re || re.test(v);
}

/** The text of a number as the item's column takes it: within minimum/maximum and precision, at its scale. */
function numberText(item: ResourceItem, x: number): string {
  const t = item.type;
  const scale = t === 'I' ? 0 : t === 'Y' ? Math.min(2, item.scale ?? 4) : t === 'N' ? Math.min(6, item.scale ?? (item.length ? 0 : 4)) : 6;
  const precision = t === 'Y' ? (item.length ?? 19) : t === 'N' || t === 'I' ? item.length : undefined;
  const intLimit = precision !== undefined ? 10 ** Math.min(15, precision - (t === 'I' ? 0 : t === 'Y' ? (item.scale ?? 4) : (item.scale ?? 0))) - 1 : Infinity;
  const int4 = t === 'I' && item.length !== undefined && item.length <= 9 ? 2_147_483_647 : Infinity;
  const f = 10 ** scale;
  const lo = Math.max(item.minimum ?? -Infinity, -intLimit, -int4);
  const hi = Math.min(item.maximum ?? Infinity, intLimit, int4);
  let v = Math.round(x * f) / f;
  if (v < lo) v = Math.ceil(lo * f) / f;
  if (v > hi) v = Math.floor(hi * f) / f;
  return (v === 0 ? 0 : v).toFixed(scale);
}

/** A value of the item from its definition alone (no hint applies, or the hint's value does not fit). */
function definitionValue(ctx: RowContext, item: ResourceItem, pattern: ((rng: Rng) => string) | null): Raw {
  const r = ctx.rng;
  if (item.check === 'uscc') return ctx.entity().uscc;
  if (item.check === 'id-card') return ctx.person(ctx.roleOf(item)).id;
  if (item.check === 'mobile') return ctx.person(ctx.roleOf(item)).mobile;
  if (item.check === 'region-code') return ctx.district().code;
  if (item.enum) {
    if (GRADED.test(item.label)) {
      const mid = (item.enum.length - 1) / 2;
      const weights = item.enum.map((_, k) => 1 / (1 + Math.abs(k - mid) ** 1.5));
      let x = r.next() * weights.reduce((a, b) => a + b, 0);
      for (let k = 0; k < weights.length; k++) if ((x -= weights[k]) < 0) return item.enum[k];
    }
    return r.zipf(item.enum, 1.3);
  }
  if (pattern) return pattern(r);
  const label = item.label;
  switch (item.type) {
    case 'C':
    case 'M': {
      if (/编号|编码|代码|证号|文号|登记号|号码/.test(label)) return `${ctx.district().code}${pad(ctx.i + 1, 6)}`;
      if (/名称$/.test(label)) return ctx.entity().name;
      return `${label}${ctx.i + 1}`;
    }
    case 'N':
    case 'Y':
    case 'B':
    case 'F':
      return r.logUniform(Math.max(1, item.minimum ?? 1), Math.max(2, Math.min(item.maximum ?? 100_000, 100_000)));
    case 'I':
      return Math.round(r.logUniform(Math.max(1, item.minimum ?? 1), Math.max(2, Math.min(item.maximum ?? 1000, 1_000_000))));
    case 'D':
      return past(ctx, 10, 1.2);
    case 'T':
      return (ctx.asOf - r.int(0, 30)) * DAY_MS + r.int(0, 86_399) * 1000;
    case 'L':
      return r.chance(0.8);
    case 'G': {
      const bytes = Buffer.alloc(Math.min(item.length ?? 16, 16));
      for (let k = 0; k < bytes.length; k++) bytes[k] = r.int(0, 255);
      return bytes.toString('base64');
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Rows

interface Plan {
  items: ResourceItem[];
  hints: (Hint | undefined)[];
  patterns: (((rng: Rng) => string) | null)[];
  regexes: (RegExp | undefined)[];
  rng: Rng;
  asOf: number;
  rows: number;
  flavor: Flavor;
  department: { name: string; regionCode: string };
  /** The role of the row's person: the role of the first personal item ('' for 姓名). */
  subject: string;
  hasPerson: boolean;
  hasEntity: boolean;
  canons: Map<string, string[]>;
  /** Index of the item whose label a pattern (by its source) finds first, -1 for none. */
  found: Map<string, number>;
}

/** Share of empty values in optional items. */
const BLANKS = 0.02;

/** One row being generated: its items' values (generated on demand, so hints may read each other) and its subjects. */
class RowContext {
  private readonly values = new Map<number, Raw>();
  private readonly busy = new Set<number>();
  private readonly memo = new Map<string, unknown>();

  constructor(
    private readonly plan: Plan,
    readonly i: number,
  ) {}

  get rng() {
    return this.plan.rng;
  }
  get n() {
    return this.plan.rows;
  }
  get asOf() {
    return this.plan.asOf;
  }
  get flavor() {
    return this.plan.flavor;
  }
  get department() {
    return this.plan.department;
  }
  get hasPerson() {
    return this.plan.hasPerson;
  }
  get hasEntity() {
    return this.plan.hasEntity;
  }

  once<T>(key: string, make: () => T): T {
    if (!this.memo.has(key)) this.memo.set(key, make());
    return this.memo.get(key) as T;
  }

  private indexOf(re: RegExp): number {
    const known = this.plan.found.get(re.source);
    if (known !== undefined) return known;
    const k = this.plan.items.findIndex((it) => re.test(it.label));
    this.plan.found.set(re.source, k);
    return k;
  }

  has(re: RegExp): boolean {
    return this.indexOf(re) >= 0;
  }

  /** The value of the row's item whose label matches, generating it first if needed; undefined without such an item. */
  value(re: RegExp): Raw | undefined {
    const k = this.indexOf(re);
    return k < 0 ? undefined : this.get(k);
  }

  get(k: number): Raw {
    if (this.values.has(k)) return this.values.get(k)!;
    if (this.busy.has(k)) throw new Error(`demo data: item ${this.plan.items[k].name} depends on itself`);
    this.busy.add(k);
    const v = this.generate(k);
    this.busy.delete(k);
    this.values.set(k, v);
    return v;
  }

  private generate(k: number): Raw {
    const { items, hints, patterns, regexes } = this.plan;
    const item = items[k];
    const optional = !item.required && !item.key;
    const text = item.type === 'C' || item.type === 'M';
    // optional items are sometimes left empty, as in any department's extract
    if (optional && this.rng.chance(BLANKS)) return null;
    const fit = (v: Raw | undefined): Raw | undefined => {
      if (v === undefined || v === null || !text) return v;
      let s = String(v);
      if (item.length && s.length > item.length && codePoints(s) > item.length) s = Array.from(s).slice(0, item.length).join('');
      return fitsText(item, s, regexes[k]) ? s : undefined;
    };
    let v = fit(hints[k]?.gen(this, item));
    if (v === null && optional) return null;
    if (v === undefined || v === null) v = fit(definitionValue(this, item, patterns[k]));
    if (v === undefined || v === null) throw new Error(`demo data: no value fits item ${item.name} (${item.label}); give it a hint`);
    return v;
  }

  district(): District {
    return this.once('district', () => {
      const own = DISTRICTS.find((d) => d.code === this.plan.department.regionCode);
      if (own) return own;
      const total = DISTRICTS.reduce((a, d) => a + d.weight, 0);
      let x = this.rng.next() * total;
      return DISTRICTS.find((d) => (x -= d.weight) < 0) ?? DISTRICTS[0];
    });
  }

  roleOf(item: ResourceItem): string {
    return item.label.replace(PERSON_SUFFIX, '');
  }

  trade(): string {
    const a = this.rng.pick(TRADE);
    let b = this.rng.pick(TRADE);
    while (b === a) b = this.rng.pick(TRADE);
    return a + b;
  }

  community(): string {
    return this.once('community', () => this.trade().slice(0, 1) + this.rng.pick(words('山 湖 海 安 华 兴 和 平 福 康 园 港 湾 林')));
  }

  busStop(): string {
    const r = this.rng;
    return r.chance(0.35) ? `${r.pick(LANDMARKS)}${r.pick(['', '站', '公交场站'])}` : `${r.pick(this.district().roads)}${r.pick(['口', '中段', '站', '北站', '南站', '东站', '西站'])}`;
  }

  /** A list made once per demo for a key, the same for every resource that asks (scenic spots in two registers). */
  canon(key: string, size: number, make: (rng: Rng, k: number) => string, s = 0.8): string {
    const list = this.canonList(key, size, make);
    return this.rng.zipf(list, s);
  }

  private canonList(key: string, size: number, make: (rng: Rng, k: number) => string): string[] {
    let list = this.plan.canons.get(key);
    if (!list || list.length < size) {
      const rng = new Rng(`canon:${key}`);
      list = [];
      while (list.length < size) {
        const v = make(rng, list.length);
        if (!list.includes(v)) list.push(v);
      }
      this.plan.canons.set(key, list);
    }
    return list;
  }

  /** The k-th scenic spot of the city: the same list in every register that names them. */
  scenic(k: number): string {
    const places = words('白鹭洲 观音山 天竺山 北辰山 香山 双龙潭 大嶝岛 五缘湾 海湾 园博苑 杏林湾 马銮湾 汀溪 莲花山 金光湖 鸿山 鹭江 万石山 五老峰 云顶山 东坪山 小嶝岛 澳头 溪东 军营村 顶上 后溪 坂头 青礁 海翼');
    const kinds = words('风景区 森林公园 旅游区 海滨浴场 生态园 湿地公园 古村落 文化园 主题乐园 植物园');
    return this.canonList('scenic', Math.max(this.n, 60), (r) => `${r.pick(places)}${r.pick(kinds)}`)[k];
  }

  /** Share of capacity in use (景区客流). */
  load(): number {
    return this.once('load', () => 0.03 + 0.95 * this.rng.next() ** 1.6);
  }

  docks(): number {
    return this.once('docks', () => this.rng.int(16, 40));
  }

  babyBirth(): number {
    return this.once('baby', () => this.asOf - this.rng.int(1, 720));
  }

  removed(): boolean {
    return this.once('removed', () => this.rng.chance(0.35));
  }

  /** The row's person in a role ('' is the row's subject): name, sex, birth date, 身份证号 and mobile that agree. */
  person(role = ''): Person {
    const who = role || this.plan.subject;
    return this.once(`person:${who}`, () => {
      const r = this.rng;
      const ages = who === this.plan.subject ? this.flavor.ages : undefined;
      const age = ages ? { min: ages[0], max: ages[1], sex: undefined, at: undefined } : AGES.find((a) => a.role.test(who))!;
      const sex = age.sex ?? (r.chance(0.5) ? 'M' : 'F');
      const at = age.at === 'baby' ? this.babyBirth() : age.at ? this.value(age.at) : undefined;
      const ref = typeof at === 'number' ? (at > 100_000 ? Math.floor(at / DAY_MS) : at) : this.asOf;
      const baby = age.max === 0 && age.min === 0;
      const birth = baby ? this.babyBirth() : ref - r.int(age.min * YEAR, age.max * YEAR + 364);
      const surname = baby && r.chance(0.9) ? this.person('父亲').surname : r.zipf(SURNAMES, 0.9);
      const given = baby ? r.pick(sex === 'M' ? BABY_MALE : BABY_FEMALE) : Array.from({ length: r.chance(0.3) ? 1 : 2 }, () => r.pick(sex === 'M' ? MALE : FEMALE)).join('');
      const home = r.chance(0.6) ? this.district().code : r.chance(0.3) ? r.pick(DISTRICTS).code : r.pick(ELSEWHERE);
      const seq = r.int(0, 99) * 10 + (sex === 'M' ? r.pick([1, 3, 5, 7, 9]) : r.pick([0, 2, 4, 6, 8]));
      const id = withIdCardCheck(`${home}${compact(birth)}${pad(seq, 3)}`);
      const mobile = `${r.pick(MOBILE_PREFIXES)}${r.digits(8)}`;
      return { surname, name: surname + given, sex, birth, id, mobile };
    });
  }

  /** The row's organisation: name, 统一社会信用代码, founding date and legal form that agree. */
  entity(): Entity {
    return this.once('entity', () => {
      const r = this.rng;
      const d = this.district();
      const f = this.flavor;
      const founded = this.asOf - 30 - Math.floor(28 * YEAR * r.next() ** 1.7);
      if (f.org) {
        const { name, kind } = f.org(this, d);
        return { name, uscc: usccOf(r, kind, d.code, founded), founded, form: kind === '12' ? '事业单位' : '社会组织' };
      }
      if (f.individual && r.chance(f.individual)) {
        const shop = r.pick(f.shops ?? SHOPS);
        const name = r.chance(0.3) ? `${r.zipf(SURNAMES)}记${shop}` : r.chance(0.3) ? `阿${r.pick(MALE.concat(FEMALE))}${shop}` : `${this.trade()}${shop}`;
        return { name: `${CITY}${d.name}${name}`, uscc: usccOf(r, '92', d.code, founded), founded, form: '个体' };
      }
      const form = r.chance(0.9) ? '有限公司' : '股份有限公司';
      const prefix = r.zipf([`${CITY.slice(0, 2)}`, CITY, '福建'], 1.2);
      const industry = r.zipf(f.industries ?? GENERAL, f.industries ? 0.8 : 0.4);
      const branch = r.chance(0.05) ? `${d.name.slice(0, 2)}分公司` : '';
      return { name: `${prefix}${this.trade()}${industry}${form}${branch}`, uscc: usccOf(r, '91', d.code, founded), founded, form };
    });
  }
}

export interface GenerateOptions {
  /** Seeds the PRNG: the same items, seed, rows and asOf give the same values. */
  seed: string;
  rows: number;
  /** The day the data describes (YYYY-MM-DD): dates of events fall before it, validity and appointments after. */
  asOf: string;
  /** The resource's name: picks the kind of organisations it lists (食品经营, 医疗机构, 旅行社...). */
  resource?: string;
  /** The provider: issuing authorities are named after it; a district department's rows are in its district. */
  department?: { name: string; regionCode: string };
}

const isPersonal = (i: ResourceItem) => isPersonName(i) || i.check === 'id-card' || /身份证|身份号码|身份证明号码/.test(i.label);

/** Rows for the items, as the text a department's CSV extract would hold ('' for an empty value). */
export function generateRows(items: ResourceItem[], opts: GenerateOptions): string[][] {
  const first = items.find(isPersonal);
  const plan: Plan = {
    items,
    hints: items.map((item) => HINTS.find((h) => h.types.includes(item.type) && (h.when ? h.when(item) && h.re.test(item.label) : h.re.test(item.label)))),
    patterns: items.map((item) => (item.pattern && !item.enum ? patternGenerator(item.pattern) : null)),
    regexes: items.map((item) => (item.pattern ? new RegExp(item.pattern, 'u') : undefined)),
    rng: new Rng(opts.seed),
    asOf: dayOf(opts.asOf),
    rows: opts.rows,
    flavor: FLAVORS.find((f) => f.re.test(opts.resource ?? '')) ?? FLAVORS[FLAVORS.length - 1],
    department: opts.department ?? { name: `${CITY}人民政府`, regionCode: CITY_CODE },
    subject: first ? first.label.replace(PERSON_SUFFIX, '') : '',
    hasPerson: Boolean(first),
    hasEntity: items.some((i) => i.check === 'uscc' || ENTITY_NAME.test(i.label)),
    canons: new Map(),
    found: new Map(),
  };
  const keys = items.map((it, k) => (it.key ? k : -1)).filter((k) => k >= 0);
  const seen = new Set<string>();
  const rows: string[][] = [];
  for (let i = 0; i < opts.rows; i++) {
    for (let attempt = 0; ; attempt++) {
      const ctx = new RowContext(plan, i);
      const raw = items.map((_, k) => ctx.get(k));
      const text = raw.map((v, k) => format(items[k], v));
      if (keys.length) {
        const key = keys.map((k) => text[k]).join('\u0000');
        if (seen.has(key)) {
          if (attempt < 50) continue;
          throw new Error(`demo data: cannot make ${opts.rows} distinct keys (${keys.map((k) => items[k].name).join(', ')})`);
        }
        seen.add(key);
      }
      rows.push(text);
      break;
    }
  }
  return rows;
}

function format(item: ResourceItem, v: Raw): string {
  if (v === null) return '';
  switch (item.type) {
    case 'N':
    case 'Y':
    case 'I':
    case 'B':
    case 'F':
      return numberText(item, Number(v));
    case 'D':
      return typeof v === 'number' ? isoDay(v) : String(v);
    case 'T':
      return typeof v === 'number' ? isoTime(v) : String(v);
    case 'L':
      return typeof v === 'boolean' ? (v ? '是' : '否') : String(v);
    default:
      return String(v);
  }
}

/** CSV text with a header of the items' labels (their names where two labels are the same). */
export function toCsv(items: ResourceItem[], rows: string[][]): string {
  const labels = items.map((i) => i.label);
  const header = items.map((i) => (labels.filter((l) => l === i.label).length > 1 ? i.name : i.label));
  let out = header.map(csvField).join(',') + '\r\n';
  for (const row of rows) out += row.map(csvField).join(',') + '\r\n';
  return out;
}

/**
 * How many rows the demo loads for a register of the declared size: small registers whole (a city
 * has 42 A-level scenic spots, not hundreds), large ones as a sample of one to three thousand rows.
 */
export function demoRowCount(records: number | undefined): number {
  if (!records) return 500;
  if (records <= 3000) return records;
  return Math.min(3000, Math.round(1000 + 600 * Math.log10(records / 3000)));
}

// ---------------------------------------------------------------------------------------------
// Loading

export interface DataSummary {
  resources: { code: string; name: string; rows: number; version: number }[];
  rows: number;
  ms: number;
}

/** Today in Asia/Shanghai: the demo's data describes the day it was seeded. */
export function shanghaiToday(now = Date.now()): string {
  return new Date(now + 8 * 3_600_000).toISOString().slice(0, 10);
}

/**
 * Runs after the census: loads rows behind every published resource, each as an upload by the
 * provider's registrar. `departments` maps the department keys of seed.ts to their ids.
 */
export async function seedData(knex: Knex, departments: Map<string, number>, config: Config, opts: { asOf?: string } = {}): Promise<DataSummary> {
  const started = Date.now();
  const asOf = opts.asOf ?? shanghaiToday();
  const keyOf = new Map([...departments].map(([key, id]) => [id, key]));
  const people = new Map<string, Actor>(
    (await knex('odx.principals').select('id', 'login', 'department_id')).map((p: { id: number; login: string; department_id: number | null }) => [
      p.login,
      { kind: 'principal', id: p.id, label: `principal:${p.login}`, departmentId: p.department_id },
    ]),
  );
  const resources: { id: number; code: string; name: string; published_doc: { items: ResourceItem[]; volume?: { records?: number } }; department_id: number; department: string; region_code: string }[] =
    await knex('odx.resources as r')
      .join('odx.departments as d', 'd.id', 'r.department_id')
      .whereNotNull('r.published_doc')
      .whereNull('r.retired_at')
      .orderBy('r.id')
      .select('r.id', 'r.code', 'r.name', 'r.published_doc', 'r.department_id', 'd.name as department', 'd.region_code');

  const loaded: DataSummary['resources'] = new Array(resources.length);
  const loadOne = async (r: (typeof resources)[number], slot: number) => {
    const dept = keyOf.get(r.department_id);
    const actor = dept && people.get(`${dept}.registrar`);
    if (!actor) throw new Error(`demo data: no registrar for the department of '${r.name}'`);
    const items = r.published_doc.items;
    const rows = generateRows(items, {
      seed: r.name,
      rows: demoRowCount(r.published_doc.volume?.records),
      asOf,
      resource: r.name,
      department: { name: r.department, regionCode: r.region_code },
    });
    const file = Buffer.from(toCsv(items, rows));
    const origin = { actor };
    const fileName = `${r.name}.csv`;
    const loadId = await loadCreator(knex, origin, r.id, { mode: 'replace', format: 'csv', encoding: 'utf8', maxErrors: 0, fileName, totalBytes: file.length });
    const outcome = await executeLoad(knex, origin, loadId, Readable.from([file]), { retention: config.versionRetention });
    if (!outcome.ok) throw new Error(`demo data: loading ${fileName} failed: ${JSON.stringify(outcome.error)}`);
    loaded[slot] = { code: r.code, name: r.name, rows: outcome.result!.rows, version: outcome.version! };
  };
  // two loads in flight: one generates and checks its rows in this process while the database copies and indexes the other's
  let next = 0;
  const worker = async () => {
    while (next < resources.length) {
      const slot = next++;
      await loadOne(resources[slot], slot);
    }
  };
  await Promise.all([worker(), worker()]);
  const summary: DataSummary = { resources: loaded, rows: loaded.reduce((n, r) => n + r.rows, 0), ms: 0 };
  notifyChainer(knex);
  summary.ms = Date.now() - started;
  return summary;
}
