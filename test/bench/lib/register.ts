/**
 * Generates a synthetic enterprise register (市场主体登记) shaped like the extracts departments deliver:
 * 统一社会信用代码, company name, registered capital (万元), founding date, district code, status,
 * phone, coordinates. Deterministic (seeded) so runs are comparable.
 */
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { withUsccCheck } from '../../../server/src/lib/identifiers.ts';
import { rng } from '../../helpers/rng.ts';
export { rng };

/** Items of the register resource, every check on. */
export const registerItems = [
  { name: 'uscc', label: '统一社会信用代码', type: 'C', length: 18, required: true, key: true, check: 'uscc' },
  { name: 'name', label: '企业名称', type: 'C', length: 100, required: true },
  { name: 'capital', label: '注册资本', type: 'Y', length: 18, scale: 2, minimum: 0, maximum: 1e10 },
  { name: 'founded', label: '成立日期', type: 'D', required: true },
  { name: 'district', label: '所属区县', type: 'C', length: 6, check: 'region-code', pattern: '^4403[0-9]{2}$' },
  { name: 'status', label: '登记状态', type: 'C', length: 8, required: true, enum: ['存续', '在业', '吊销', '注销', '迁出'] },
  { name: 'phone', label: '联系电话', type: 'C', length: 11, check: 'mobile' },
  { name: 'lat', label: '纬度', type: 'B', minimum: -90, maximum: 90 },
  { name: 'lon', label: '经度', type: 'B', minimum: -180, maximum: 180 },
] as const;

/** DDL column types for the raw-COPY baseline (the same types the engine produces). */
export const registerPlainColumns =
  'uscc varchar(18), name varchar(100), capital numeric(18,2), founded date, district varchar(6), status varchar(8), phone varchar(11), lat double precision, lon double precision';

const USCC_CHARS = '0123456789ABCDEFGHJKLMNPQRTUWXY';
const DISTRICTS = ['440303', '440304', '440305', '440306', '440307', '440308', '440309', '440310', '440311'];
const STATUS = ['存续', '存续', '存续', '在业', '在业', '吊销', '注销', '迁出'];
const CITIES = ['深圳市', '深圳', '广东'];
const WORDS = '华信达鑫源泰恒通安康盛宏腾飞龙凤明德诚远创新科技智能数字云端海星辰光电子新能源环保物流贸易实业';
const TRADES = ['科技', '贸易', '实业', '投资', '电子', '物流', '餐饮管理', '建筑工程', '信息技术', '文化传媒', '生物医药'];
const FORMS = ['有限公司', '有限责任公司', '股份有限公司', '（有限合伙）'];


export interface RegisterRow {
  uscc: string;
  name: string;
  capital: string;
  founded: string;
  district: string;
  status: string;
  phone: string;
  lat: string;
  lon: string;
}

export function* registerRows(count: number, seed = 42): Generator<RegisterRow> {
  const r = rng(seed);
  const pick = <T,>(a: readonly T[]): T => a[Math.floor(r() * a.length)];
  for (let i = 0; i < count; i++) {
    // 登记管理部门码 9 (工商), 机构类别 1 (企业), 6-digit region, 9-char organisation code (sequence-based, unique).
    const district = pick(DISTRICTS);
    let org = '';
    let n = i + 1;
    for (let k = 0; k < 8; k++) {
      org = USCC_CHARS[n % 31] + org;
      n = Math.floor(n / 31);
    }
    org = 'M' + org;
    const uscc = withUsccCheck('91' + district + org);
    let word = '';
    const wl = 2 + Math.floor(r() * 3);
    for (let k = 0; k < wl; k++) word += WORDS[Math.floor(r() * WORDS.length)];
    const name = pick(CITIES) + word + pick(TRADES) + pick(FORMS);
    const capital = r() < 0.05 ? '' : (Math.floor(r() * 1e8) / 100).toFixed(2);
    const y = 1980 + Math.floor(r() * 45);
    const m = 1 + Math.floor(r() * 12);
    const d = 1 + Math.floor(r() * 28);
    const founded = `${y}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
    const phone = r() < 0.1 ? '' : '1' + (3 + Math.floor(r() * 7)) + String(Math.floor(r() * 1e9)).padStart(9, '0');
    const lat = (22.45 + r() * 0.4).toFixed(6);
    const lon = (113.75 + r() * 0.8).toFixed(6);
    yield { uscc, name, capital, founded, district, status: pick(STATUS), phone, lat, lon };
  }
}

export const registerHeader = ['统一社会信用代码', '企业名称', '注册资本', '成立日期', '所属区县', '登记状态', '联系电话', '纬度', '经度'];

function csvField(v: string): string {
  return /[",\n\r]/.test(v) ? '"' + v.replace(/"/g, '""') + '"' : v;
}

/** Writes the register as CSV (Chinese headers, as exported from a Windows tool), in UTF-8. */
export async function writeRegisterCsv(path: string, count: number, opts: { seed?: number } = {}): Promise<void> {
  const out = createWriteStream(path);
  let buf = registerHeader.join(',') + '\r\n';
  for (const row of registerRows(count, opts.seed)) {
    buf +=
      csvField(row.uscc) + ',' + csvField(row.name) + ',' + row.capital + ',' + row.founded + ',' + row.district + ',' +
      row.status + ',' + row.phone + ',' + row.lat + ',' + row.lon + '\r\n';
    if (buf.length > 1 << 16) {
      if (!out.write(buf)) await once(out, 'drain');
      buf = '';
    }
  }
  out.end(buf);
  await once(out, 'finish');
}
