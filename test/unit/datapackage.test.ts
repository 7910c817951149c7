import { readFileSync } from 'node:fs';
import { expect } from 'chai';
import { Ajv } from 'ajv';
import type { ValidateFunction } from 'ajv';
import type { ItemLike } from '../../server/src/data/items.ts';
import type { DataPackageInput, TableField } from '../../server/src/open/datapackage.ts';
import { packageName, tableField, tableSchema, toDataPackage } from '../../server/src/open/datapackage.ts';
import { parseMaskRules } from '../../server/src/data/masking.ts';

const FIXTURES = new URL('../fixtures/frictionless/', import.meta.url);

function profile(name: string): Record<string, unknown> {
  const schema = JSON.parse(readFileSync(new URL(name, FIXTURES), 'utf8')) as Record<string, unknown>;
  delete schema.$schema; // draft-04 profiles without draft-04-only keywords; compile as draft-07
  return schema;
}

function makeAjv(): Ajv {
  const ajv = new Ajv({ allErrors: true, strict: false });
  ajv.addFormat('uri', (s: string) => {
    try {
      new URL(s);
      return true;
    } catch {
      return false;
    }
  });
  ajv.addFormat('email', /^[^\s@]+@[^\s@]+\.[^\s@]+$/);
  ajv.addFormat('date-time', (s: string) => /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/.test(s) && !Number.isNaN(Date.parse(s)));
  ajv.addFormat('textarea', () => true);
  return ajv;
}

const ajv = makeAjv();
const validators: Record<string, ValidateFunction> = {
  tabular: ajv.compile(profile('tabular-data-package.json')),
  package: ajv.compile(profile('data-package.json')),
  tableSchema: ajv.compile(profile('table-schema.json')),
};

function assertValid(v: ValidateFunction, data: unknown): void {
  const ok = v(data);
  expect(ok, JSON.stringify(v.errors, null, 1)).to.equal(true);
}

/** Constraints the Table Schema v1 spec defines for each field type. */
const ALLOWED_CONSTRAINTS: Record<string, string[]> = {
  string: ['required', 'unique', 'pattern', 'enum', 'minLength', 'maxLength'],
  number: ['required', 'unique', 'pattern', 'enum', 'minimum', 'maximum'],
  integer: ['required', 'unique', 'pattern', 'enum', 'minimum', 'maximum'],
  date: ['required', 'unique', 'enum', 'minimum', 'maximum'],
  datetime: ['required', 'unique', 'enum', 'minimum', 'maximum'],
  boolean: ['required', 'enum'],
};
const STRING_FORMATS = ['default', 'email', 'uri', 'binary', 'uuid'];

function assertSpecRules(fields: TableField[], primaryKey?: string[]): void {
  const names = fields.map((f) => f.name);
  expect(new Set(names).size, 'field names unique').to.equal(names.length);
  for (const f of fields) {
    expect(ALLOWED_CONSTRAINTS, `type of ${f.name}`).to.have.property(f.type);
    for (const k of Object.keys(f.constraints ?? {})) {
      expect(ALLOWED_CONSTRAINTS[f.type], `${f.name}: constraint ${k} on ${f.type}`).to.include(k);
    }
    if (f.type === 'string' && f.format) expect(STRING_FORMATS).to.include(f.format);
    if (f.bareNumber !== undefined) expect(['number', 'integer']).to.include(f.type);
    if (f.constraints?.pattern) expect(() => new RegExp(f.constraints!.pattern!)).to.not.throw();
  }
  for (const k of primaryKey ?? []) expect(names, `primary key ${k}`).to.include(k);
}

const items: ItemLike[] = [
  { name: 'reg_no', label: '登记编号', type: 'C', length: 20, key: true, required: true, pattern: '^[A-Z0-9]+$' },
  { name: 'ent_name', label: '企业名称', type: 'C', length: 100, required: true, description: '市场主体登记名称' },
  { name: 'uscc', label: '统一社会信用代码', type: 'C', length: 18, check: 'uscc' },
  { name: 'reg_capital', label: '注册资本（万元）', type: 'Y', length: 18, scale: 2, minimum: 0 },
  { name: 'staff', label: '从业人数', type: 'N', length: 8, scale: 0, minimum: 0, maximum: 1000000 },
  { name: 'ratio', label: '比例', type: 'N', length: 5 },
  { name: 'est_date', label: '成立日期', type: 'D', minimum: '1949-10-01' },
  { name: 'updated_at', label: '更新时间', type: 'T' },
  { name: 'active', label: '是否存续', type: 'L' },
  { name: 'memo', label: '备注', type: 'M' },
  { name: 'logo', label: '标志', type: 'G' },
  { name: 'double_v', label: '双精度', type: 'B' },
  { name: 'count_i', label: '整数', type: 'I', enum: [1, 2, 3] },
  { name: 'float_v', label: '浮点', type: 'F' },
  { name: 'status', label: '登记状态', type: 'C', length: 10, enum: ['存续', '注销', '吊销'] },
  { name: 'legal_rep', label: '法定代表人', type: 'C', length: 30, sensitivity: 'personal', mask: 'name' },
  { name: 'contact_mobile', label: '联系电话', type: 'C', length: 11, sensitivity: 'personal', mask: 'mobile', check: 'mobile' },
  { name: 'rep_id_no', label: '法定代表人身份证号', type: 'C', length: 18, sensitivity: 'sensitive', mask: 'id-card' },
  { name: 'home_address', label: '住所', type: 'C', sensitivity: 'personal', mask: 'drop' },
  { name: 'rep_key', label: '代表人标识', type: 'C', sensitivity: 'personal', mask: 'hash' },
];

const BASE = 'https://data.example.gov.cn/api/v1/datasets/3070220400031%2F000038';
const input: DataPackageInput = {
  code: '3070220400031/000038',
  title: '市场主体登记信息',
  description: '本市市场主体登记基本信息（已脱敏）',
  id: BASE,
  homepage: 'https://data.example.gov.cn/datasets/3070220400031%2F000038',
  licence: { url: 'https://creativecommons.org/licenses/by/4.0/', title: 'CC BY 4.0', name: 'CC-BY-4.0' },
  keywords: ['市场主体', '企业登记'],
  publisher: { name: '某市市场监督管理局', url: 'https://data.example.gov.cn/departments/amr', email: 'open@amr.example.gov.cn' },
  version: '2026-03-01',
  items,
  downloads: {
    csv: `${BASE}/download?format=csv`,
    ndjson: `${BASE}/download?format=ndjson`,
    json: `${BASE}/download?format=json`,
    arrow: `${BASE}/download?format=arrow`,
    xlsx: `${BASE}/download?format=xlsx`,
  },
};

describe('datapackage: Table Schema fields', () => {
  const field = (name: string) => tableField(items.find((i) => i.name === name)!);

  it('C and M are strings with maxLength; check names become patterns', () => {
    expect(field('ent_name')).to.deep.equal({
      name: 'ent_name',
      title: '企业名称',
      description: '市场主体登记名称',
      type: 'string',
      constraints: { required: true, maxLength: 100 },
    });
    expect(field('uscc')!.constraints!.pattern).to.equal('^[0-9A-HJ-NPQRTUWXY]{2}[0-9]{6}[0-9A-HJ-NPQRTUWXY]{10}$');
    expect(field('reg_no')!.constraints).to.deep.equal({ required: true, maxLength: 20, pattern: '^[A-Z0-9]+$' });
    expect(field('memo')).to.deep.equal({ name: 'memo', title: '备注', type: 'string' });
  });

  it('N/Y are numbers (integer at scale 0) with bareNumber; B/F number; I integer', () => {
    expect(field('reg_capital')).to.deep.include({ type: 'number', bareNumber: true });
    expect(field('reg_capital')!.constraints).to.deep.equal({ minimum: 0 });
    expect(field('staff')).to.deep.include({ type: 'integer', bareNumber: true });
    expect(field('staff')!.constraints).to.deep.equal({ minimum: 0, maximum: 1000000 });
    expect(field('ratio')!.type).to.equal('number');
    expect(field('double_v')!.type).to.equal('number');
    expect(field('float_v')!.type).to.equal('number');
    expect(field('count_i')).to.deep.include({ type: 'integer', constraints: { enum: [1, 2, 3] } });
  });

  it('D date, T datetime, L boolean, G binary string', () => {
    expect(field('est_date')).to.deep.include({ type: 'date', constraints: { minimum: '1949-10-01' } });
    expect(field('updated_at')!.type).to.equal('datetime');
    expect(field('active')!.type).to.equal('boolean');
    expect(field('logo')).to.deep.include({ type: 'string', format: 'binary' });
    expect(field('status')!.constraints).to.deep.equal({ maxLength: 10, enum: ['存续', '注销', '吊销'] });
  });

  it('masked items are strings in their masked form; dropped items are omitted', () => {
    const mobile = field('contact_mobile')!;
    expect(mobile.type).to.equal('string');
    expect(mobile.constraints).to.deep.equal({ maxLength: 11 }); // no ^1[0-9]{10}$ pattern: masked values do not match it
    expect(mobile.description).to.contain('mobile');
    expect(field('legal_rep')!.type).to.equal('string');
    expect(field('rep_key')!.constraints).to.deep.equal({ pattern: '^[0-9a-f]{64}$', minLength: 64, maxLength: 64 });
    expect(field('home_address')).to.equal(null);
  });

  it('masked numeric items become strings without numeric constraints', () => {
    const f = tableField({ name: 'phone_n', label: '电话', type: 'N', scale: 0, minimum: 0, mask: 'mobile', sensitivity: 'personal' });
    expect(f).to.deep.equal({ name: 'phone_n', title: '电话', description: '已脱敏（mobile）/ masked (mobile)', type: 'string' });
  });

  it('refuses personal items without a mask, unknown rules, duplicates and bad enums', () => {
    expect(() => tableSchema([{ name: 'tel', label: '电话', type: 'C', sensitivity: 'personal' }])).to.throw(/tel/);
    expect(() => tableSchema([{ name: 'x', label: 'x', type: 'C', mask: 'nope' }])).to.throw(/nope/);
    expect(() => tableSchema([{ name: 'a', label: 'a', type: 'C' }, { name: 'a', label: 'b', type: 'I' }])).to.throw(/duplicate/);
    expect(() => tableSchema([{ name: 'n', label: 'n', type: 'I', enum: ['x'] }])).to.throw(/enum/);
  });

  it('primaryKey from key items; dropped by non-hash masks on a key', () => {
    expect(tableSchema(items).primaryKey).to.deep.equal(['reg_no']);
    const hashedKey: ItemLike[] = [{ name: 'pid', label: '标识', type: 'C', key: true, sensitivity: 'personal', mask: 'hash' }, { name: 'v', label: 'v', type: 'I' }];
    expect(tableSchema(hashedKey).primaryKey).to.deep.equal(['pid']);
    const maskedKey: ItemLike[] = [{ name: 'mob', label: '手机', type: 'C', key: true, sensitivity: 'personal', mask: 'mobile' }, { name: 'v', label: 'v', type: 'I' }];
    expect(tableSchema(maskedKey)).to.not.have.property('primaryKey');
    const compound: ItemLike[] = [{ name: 'a', label: 'a', type: 'C', key: true }, { name: 'b', label: 'b', type: 'D', key: true }];
    expect(tableSchema(compound).primaryKey).to.deep.equal(['a', 'b']);
    expect(tableSchema(compound).fields.every((f) => f.constraints?.required)).to.equal(true);
  });

  it('configured rules decide what is dropped', () => {
    const rules = parseMaskRules({ mobile: 'drop' });
    const names = tableSchema(items, { rules }).fields.map((f) => f.name);
    expect(names).to.not.include('contact_mobile');
    expect(names).to.not.include('home_address');
  });

  it('the schema alone is valid against the Table Schema profile', () => {
    const schema = tableSchema(items);
    assertValid(validators.tableSchema, schema);
    assertSpecRules(schema.fields, schema.primaryKey);
  });
});

describe('datapackage: descriptor', () => {
  const pkg = toDataPackage(input);

  it('is valid against the Tabular Data Package and Data Package profiles', () => {
    assertValid(validators.tabular, pkg);
    assertValid(validators.package, pkg);
    for (const r of pkg.resources) {
      assertValid(validators.tableSchema, r.schema);
      assertSpecRules(r.schema.fields, r.schema.primaryKey);
    }
  });

  it('has one tabular resource per download format with its URL as path', () => {
    expect(pkg.profile).to.equal('tabular-data-package');
    expect(pkg.name).to.equal('3070220400031-000038');
    expect(pkg.resources.map((r) => r.format)).to.deep.equal(['csv', 'ndjson', 'json', 'arrow', 'xlsx']);
    expect(pkg.resources.map((r) => r.path)).to.deep.equal(Object.values(input.downloads));
    const names = pkg.resources.map((r) => r.name);
    expect(new Set(names).size).to.equal(names.length);
    for (const n of names) expect(n).to.match(/^([-a-z0-9._/])+$/);
    const csv = pkg.resources[0];
    expect(csv).to.deep.include({ mediatype: 'text/csv', encoding: 'utf-8', dialect: { delimiter: ',', doubleQuote: true, header: true } });
    expect(pkg.resources[3].mediatype).to.equal('application/vnd.apache.arrow.stream');
    expect(pkg.resources[3]).to.not.have.property('encoding');
    expect(pkg.resources[4].mediatype).to.equal('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
  });

  it('carries title, description, homepage, licence, keywords and publisher', () => {
    expect(pkg.title).to.equal('市场主体登记信息');
    expect(pkg.description).to.equal('本市市场主体登记基本信息（已脱敏）');
    expect(pkg.homepage).to.equal(input.homepage);
    expect(pkg.id).to.equal(BASE);
    expect(pkg.licenses).to.deep.equal([{ path: 'https://creativecommons.org/licenses/by/4.0/', name: 'CC-BY-4.0', title: 'CC BY 4.0' }]);
    expect(pkg.keywords).to.deep.equal(['市场主体', '企业登记']);
    expect(pkg.contributors).to.deep.equal([
      { title: '某市市场监督管理局', role: 'publisher', path: 'https://data.example.gov.cn/departments/amr', email: 'open@amr.example.gov.cn' },
    ]);
  });

  it('never describes a dropped column and never a raw personal one', () => {
    const fields = pkg.resources[0].schema.fields;
    expect(fields.map((f) => f.name)).to.not.include('home_address');
    const masked = ['legal_rep', 'contact_mobile', 'rep_id_no', 'rep_key'];
    for (const f of fields.filter((x) => masked.includes(x.name))) expect(f.type).to.equal('string');
  });

  it('a minimal package (only CSV, licence as a URL string) is valid too', () => {
    const small = toDataPackage({
      code: 'ABC/1',
      title: 't',
      licence: 'https://creativecommons.org/licenses/by/4.0/',
      items: [{ name: 'v', label: '值', type: 'I' }],
      downloads: { csv: 'https://x.example/d.csv' },
    });
    assertValid(validators.tabular, small);
    expect(small.name).to.equal('abc-1');
    expect(small).to.not.have.property('contributors');
    expect(small.licenses).to.deep.equal([{ path: 'https://creativecommons.org/licenses/by/4.0/' }]);
  });

  it('the validator rejects broken descriptors (it really runs)', () => {
    const broken = JSON.parse(JSON.stringify(pkg));
    broken.resources[0].schema.fields[0].type = 'text';
    delete broken.resources[1].schema;
    broken.name = 'Upper Case';
    expect(validators.tabular(broken)).to.equal(false);
    const paths = (validators.tabular.errors ?? []).map((e) => e.instancePath);
    expect(paths).to.include('/name');
  });

  it('refuses inputs that cannot make a valid package', () => {
    expect(() => toDataPackage({ ...input, downloads: {} })).to.throw(/download/);
    expect(() => toDataPackage({ ...input, title: ' ' })).to.throw(/title/);
    expect(() => toDataPackage({ ...input, licence: 'not a url' })).to.throw(/licence/);
    expect(() => toDataPackage({ ...input, items: [{ name: 'a', label: 'a', type: 'C', mask: 'drop' }] })).to.throw(/no publishable items/);
  });

  it('packageName lower-cases and replaces separators', () => {
    expect(packageName('3070220400031/000038')).to.equal('3070220400031-000038');
    expect(packageName('AB/cd 01')).to.equal('ab-cd-01');
  });
});
