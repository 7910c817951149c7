import { DEMO_EXAMPLE_RESOURCE } from '../../server/src/demo/census.ts';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import request from 'supertest';
import { compileCoercer } from '../../loaders/coerce.ts';
import type { LoaderItem } from '../../loaders/types.ts';
import { closeServices, createApp, type App } from '../../server/src/app.ts';
import { chainPending } from '../../server/src/audit/chain.ts';
import { HeadSigner } from '../../server/src/audit/signing.ts';
import { verifyChain } from '../../server/src/audit/verify.ts';
import { loadConfig, type Config } from '../../server/src/config.ts';
import { demoRowCount, generateRows } from '../../server/src/demo/data.ts';
import { seedDemo } from '../../server/src/demo/seed.ts';
import { createLogger } from '../../server/src/http/observability.ts';
import { isIdCard, isMobile, isUscc } from '../../server/src/lib/identifiers.ts';
import type { ResourceItem } from '../../server/src/schemas/validator.ts';
import { freshDatabase, type TestDatabase } from '../helpers/db.ts';

const CITY_REGIONS = ['350200', '350203', '350205', '350206', '350211', '350212', '350213'];
const HAN = /^[\u4e00-\u9fff]/;

interface Published {
  id: number;
  code: string;
  name: string;
  open_type: string;
  linked: boolean;
  current_version: number | null;
  data_rows: string | null;
  quality: { rows: number; columns: Record<string, { nulls: number }> } | null;
  published_doc: { items: ResourceItem[]; volume?: { records?: number } };
  department: string;
}

/** `npm start` shows resources with rows: the demo loads data behind every published entry, as its department would. */
describe('demo city 滨海市: data behind the catalogue', function () {
  this.timeout(180_000);
  let db: TestDatabase;
  let home: string;
  let config: Config;
  let app: App['app'];
  let services: App['services'];
  let published: Published[];

  const table = async (r: Published) => (await db.knex('odx.resource_versions').where({ resource_id: r.id, version: r.current_version }).first('table_name')).table_name as string;
  const rawRows = async (r: Published) => (await db.knex.raw(`select * from ${await table(r)}`)).rows as Record<string, unknown>[];

  before(async () => {
    db = await freshDatabase();
    home = await fs.mkdtemp(path.join(os.tmpdir(), 'odx-demo-data-'));
    config = loadConfig({ ODX_HOME: home, ODX_LOG_LEVEL: 'silent' } as NodeJS.ProcessEnv);
    expect((await seedDemo(db.knex, config)).seeded).to.equal(true);
    ({ app, services } = createApp({ knex: db.knex, config, log: createLogger('silent'), signer: await HeadSigner.load(home) }));
    published = await db.knex('odx.resources as r')
      .join('odx.departments as d', 'd.id', 'r.department_id')
      .whereNotNull('r.published_doc')
      .orderBy('r.id')
      .select('r.id', 'r.code', 'r.name', 'r.open_type', 'r.linked', 'r.current_version', 'r.data_rows', 'r.quality', 'r.published_doc', 'd.short_name as department');
  });
  after(async () => {
    await closeServices(services);
    await db.drop();
    await fs.rm(home, { recursive: true, force: true });
  });

  it('has the resource the examples name (odx load --help, the guides), published under that code', () => {
    expect(published.find((r) => r.code === DEMO_EXAMPLE_RESOURCE.code)?.name).to.equal(DEMO_EXAMPLE_RESOURCE.name);
  });

  it('links every published resource to a version its department loaded, without a single reject', async () => {
    expect(published.length).to.be.at.least(30);
    for (const r of published) {
      expect(r.linked, r.name).to.equal(true);
      expect(r.current_version, r.name).to.equal(1);
      expect(Number(r.data_rows), r.name).to.equal(demoRowCount(r.published_doc.volume?.records));
      expect(r.quality?.rows, r.name).to.equal(Number(r.data_rows));
      expect(Object.keys(r.quality!.columns), r.name).to.have.members(r.published_doc.items.map((i) => i.name));
    }
    // the past year's loads (server/src/demo/history.ts) are constructed history, not loads the registrars made
    const loads = await db.knex('odx.loads as l').join('odx.resources as r', 'r.id', 'l.resource_id').whereNotNull('r.published_doc').whereRaw(`not (l.options \\? 'demoHistory')`)
      .select('l.state', 'l.rejected', 'l.actor', 'l.rows_loaded', 'l.file_name', 'r.name');
    expect(loads).to.have.length(published.length);
    const past = await db.knex('odx.loads as l').join('odx.resource_versions as v', 'v.load_id', 'l.id').whereRaw(`l.options \\? 'demoHistory'`).select('l.actor', 'v.version', 'v.dropped_at', 'l.finished_at');
    expect(past.length).to.be.above(published.length);
    for (const p of past) {
      expect(p.actor).to.equal('system:demo');
      expect(p.version, 'numbered before the loaded data').to.be.below(1);
      expect(p.dropped_at, 'its table is not there').to.not.equal(null);
    }
    for (const l of loads) {
      expect(l, l.name).to.include({ state: 'succeeded', file_name: `${l.name}.csv` });
      expect(Number(l.rejected), l.name).to.equal(0);
      expect(l.actor, l.name).to.match(/^principal:[a-z]+\.registrar$/);
    }
    // unpublished entries (drafts, submitted, approved) have nothing loaded
    expect(await db.knex('odx.resources').whereNull('published_doc').where({ linked: true }).pluck('name')).to.deep.equal([]);
  });

  it('fills required items, keeps keys unique and gives realistic values: valid codes of the city, people, places', async () => {
    for (const r of published) {
      const rows = await rawRows(r);
      const items = r.published_doc.items;
      for (const item of items) {
        const values = rows.map((row) => row[item.name]);
        const filled = values.filter((v) => v !== null);
        if (item.required || item.key) expect(filled.length, `${r.name} ${item.name}`).to.equal(rows.length);
        expect(filled.length, `${r.name} ${item.name} has values`).to.be.greaterThan(0);
        const text = filled.map(String);
        if (item.check === 'uscc') expect(text.every(isUscc), `${r.name} ${item.name}`).to.equal(true);
        if (item.check === 'id-card' || /身份证/.test(item.label)) expect(text.every(isIdCard), `${r.name} ${item.name}`).to.equal(true);
        if (item.check === 'mobile') expect(text.every(isMobile), `${r.name} ${item.name}`).to.equal(true);
        if (item.check === 'region-code') expect(text.every((v) => CITY_REGIONS.includes(v)), `${r.name} ${item.name}`).to.equal(true);
        if (item.enum) expect(text.every((v) => item.enum!.includes(v)), `${r.name} ${item.name}`).to.equal(true);
        if (item.mask === 'name') expect(text.every((v) => /^[\u4e00-\u9fff]{2,4}$/.test(v)), `${r.name} ${item.name}: ${text.slice(0, 3)}`).to.equal(true);
        if (item.name === 'latitude') expect(filled.every((v) => Math.abs(Number(v) - 24.48) < 0.3), r.name).to.equal(true);
        if (item.name === 'longitude') expect(filled.every((v) => Math.abs(Number(v) - 118.09) < 0.3), r.name).to.equal(true);
        if ((item.type === 'C' || item.type === 'M') && /名称|地址|住所|场所/.test(item.label) && !/线路/.test(item.label)) expect(text.every((v) => HAN.test(v)), `${r.name} ${item.name}`).to.equal(true);
        // no column is stuck on one value
        if (rows.length >= 20 && !item.enum) expect(new Set(text).size, `${r.name} ${item.name} varies`).to.be.greaterThan(1);
      }
      const keys = items.filter((i) => i.key).map((i) => i.name);
      if (keys.length) {
        const distinct = new Set(rows.map((row) => keys.map((k) => String(row[k])).join('|')));
        expect(distinct.size, `${r.name} keys`).to.equal(rows.length);
      }
    }
    // items of one row agree: sex and birth date with the 身份证号, population with its parts, validity after issue
    const people = published.find((r) => r.name === '常住人口基本信息')!;
    for (const row of await rawRows(people)) {
      const id = String(row.id_card);
      if (row.sex) expect(row.sex).to.equal(Number(id[16]) % 2 ? '男' : '女');
      if (row.born_on) expect(String(row.born_on).replace(/-/g, '')).to.equal(id.slice(6, 14));
    }
    for (const row of await rawRows(published.find((r) => r.name === '户籍人口统计信息')!)) {
      if (row.male !== null && row.female !== null && row.population !== null) expect(Number(row.male) + Number(row.female)).to.equal(Number(row.population));
    }
    // registers that name the same things agree: the scenic spots with live visitor counts are the A-level ones, with their capacity
    const spots = new Map((await rawRows(published.find((r) => r.name === 'A级旅游景区信息')!)).map((row) => [row.name, row.capacity]));
    for (const row of await rawRows(published.find((r) => r.name === '景区实时客流信息')!)) {
      if (row.name === null) continue;
      expect(spots.has(row.name), String(row.name)).to.equal(true);
      if (row.capacity !== null && spots.get(row.name) !== null) expect(row.capacity).to.equal(spots.get(row.name));
      if (row.visitors !== null && row.capacity !== null) expect(Number(row.visitors)).to.be.at.most(Number(row.capacity));
    }
    for (const row of await rawRows(published.find((r) => r.name === '食品经营许可证信息')!)) {
      if (row.issued_on && row.valid_to) expect(String(row.valid_to) > String(row.issued_on)).to.equal(true);
    }
  });

  it('serves the rows of every open dataset with personal items masked and closed items left out', async () => {
    const open = published.filter((r) => r.open_type === 'open');
    expect(open.length).to.be.at.least(15);
    let maskedSeen = 0;
    for (const r of open) {
      const res = await request(app).get(`/api/v1/datasets/${encodeURIComponent(r.code)}/rows`).query({ limit: 50 }).expect(200);
      expect(res.body.items.length, r.name).to.equal(Math.min(50, Number(r.data_rows)));
      for (const item of r.published_doc.items) {
        const values = res.body.items.map((row: Record<string, unknown>) => row[item.name]);
        const hidden = (item as { openType?: string }).openType === 'closed' || (item.sensitivity === 'personal' && !item.mask);
        if (hidden) {
          expect(res.body.items.every((row: Record<string, unknown>) => !(item.name in row)), `${r.name} ${item.name} left out`).to.equal(true);
          continue;
        }
        const text = values.filter((v: unknown) => v !== null).map(String);
        if (item.mask === 'name') {
          expect(text.every((v: string) => /^[\u4e00-\u9fff]{1,2}\*+$/.test(v)), `${r.name} ${item.name}: ${text.slice(0, 3)}`).to.equal(true);
          maskedSeen += text.length;
        }
        if (item.mask === 'id-card') expect(text.every((v: string) => /^\d{6}\*{8}\d{3}[\dX]$/.test(v)), `${r.name} ${item.name}`).to.equal(true);
        if (item.mask === 'mobile') expect(text.every((v: string) => /^1\d{2}\*{4}\d{4}$/.test(v)), `${r.name} ${item.name}`).to.equal(true);
      }
    }
    expect(maskedSeen, 'open datasets with masked names').to.be.greaterThan(0);
    // closed ones are not open datasets
    const closed = published.find((r) => r.open_type === 'closed')!;
    await request(app).get(`/api/v1/datasets/${encodeURIComponent(closed.code)}/rows`).expect(404);
  });

  it('generates the same rows from the same seed, and every value passes the loader’s own checks', () => {
    for (const r of published) {
      const items = r.published_doc.items;
      const opts = { seed: r.name, rows: 300, asOf: '2025-03-31', resource: r.name };
      const rows = generateRows(items, opts);
      expect(generateRows(items, opts), r.name).to.deep.equal(rows);
      const coercers = items.map((i) => compileCoercer(i as LoaderItem));
      for (const row of rows) {
        row.forEach((v, k) => {
          if (v === '') return expect(items[k].required || items[k].key, `${r.name} ${items[k].name} empty`).to.not.equal(true);
          const out = coercers[k](v);
          expect(typeof out, `${r.name} ${items[k].name} = ${JSON.stringify(v)}: ${JSON.stringify(out)}`).to.equal('string');
        });
      }
    }
  });

  it('generates from any item definition: every type, ranges, short lengths, simple patterns, unknown labels', () => {
    const items = [
      { name: 'code', label: '编码', type: 'C', length: 12, required: true, key: true, pattern: '^[A-HJ-N]{2}-\\d{4,6}[XY]?$' },
      { name: 'flag', label: '标志', type: 'C', length: 2, required: true },
      { name: 'note', label: '备注', type: 'M' },
      { name: 'score', label: '评分', type: 'N', length: 5, scale: 2, minimum: 0, maximum: 100 },
      { name: 'ratio', label: '比率', type: 'F', minimum: -1, maximum: 1 },
      { name: 'mass', label: '重量', type: 'B' },
      { name: 'level', label: '等级', type: 'I', length: 1, minimum: 1, maximum: 5 },
      { name: 'big', label: '总量', type: 'I', minimum: 1_000_000 },
      { name: 'fee', label: '费用', type: 'Y', length: 8, scale: 2 },
      { name: 'kind', label: '类别代码', type: 'I', enum: ['1', '2', '9'] },
      { name: 'on', label: '日期', type: 'D', required: true },
      { name: 'at', label: '时间', type: 'T' },
      { name: 'ok', label: '是否有效', type: 'L' },
      { name: 'blob', label: '附件', type: 'G', length: 8 },
      { name: 'area', label: '区划', type: 'C', length: 6, check: 'region-code' },
      { name: 'tel', label: '联系人手机', type: 'C', length: 11, check: 'mobile' },
    ] as ResourceItem[];
    const rows = generateRows(items, { seed: 't', rows: 2000, asOf: '2024-02-29' });
    const coercers = items.map((i) => compileCoercer(i as LoaderItem));
    for (const row of rows) {
      row.forEach((v, k) => {
        if (v === '') return expect(items[k].required || items[k].key, items[k].name).to.not.equal(true);
        expect(typeof coercers[k](v), `${items[k].name} = ${JSON.stringify(v)}`).to.equal('string');
      });
    }
    expect(new Set(rows.map((r) => r[0])).size).to.equal(rows.length);
  });

  it('records every load in an audit chain that verifies', async () => {
    await chainPending(db.knex);
    const result = await verifyChain(db.knex);
    expect(result.ok, result.problem).to.equal(true);
    const loads = await db.knex('odx.audit_events').where({ action: 'resource.load' }).select('actor', 'target_id', 'rows');
    expect(loads).to.have.length(published.length);
    expect(loads.map((e: { target_id: string }) => Number(e.target_id))).to.have.members(published.map((r) => r.id));
    const actions = await db.knex('odx.audit_events').distinct('action').pluck('action');
    expect(actions).to.include.members(['resource.load.request', 'resource.load']);
  });
});
