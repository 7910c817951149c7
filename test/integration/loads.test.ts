import { spawn } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { parse } from 'csv-parse/sync';
import iconv from 'iconv-lite';
import request from 'supertest';
import { chainPending } from '../../server/src/audit/chain.ts';
import { verifyChain } from '../../server/src/audit/verify.ts';
import { failInterruptedLoads } from '../../server/src/loads/service.ts';
import { withUsccCheck } from '../../server/src/lib/identifiers.ts';
import { testApp, type TestApp } from '../helpers/app.ts';
import { publishedResource } from '../helpers/census.ts';
import { ODX_BIN } from '../helpers/cli.ts';

const uscc = (i: number) => withUsccCheck(`91350200MA${String(1000000 + i).padStart(7, '0')}`);
const header = '统一社会信用代码,企业名称,法定代表人,注册资本（万元）,成立日期\n';
const row = (i: number, name = `滨海市示例贸易有限公司${i}`) => `${uscc(i)},${name},张三${i},${(i * 10.5).toFixed(2)},2020-01-${String((i % 28) + 1).padStart(2, '0')}\n`;

describe('loads: versioned, atomic ingestion through the API and the CLI', function () {
  this.timeout(120_000);
  let t: TestApp;
  let resource: Record<string, any>;

  async function upload(body: string | Buffer, query: Record<string, string | number> = {}, who: 'registrar' | 'officer' = 'registrar') {
    const res = await request(t.app)
      .post(`/api/v1/resources/${encodeURIComponent(resource.code)}/loads`)
      .query(query)
      .set(t.auth(who))
      .set('Content-Type', 'text/csv')
      .send(body)
      .expect(202);
    await t.services.loads.wait(res.body.id);
    return (await request(t.app).get(`/api/v1/resources/${resource.id}/loads/${res.body.id}`).set(t.auth(who)).expect(200)).body;
  }

  const rows = async () => (await t.knex('odx.resources').where({ id: resource.id }).first('current_version', 'data_rows', 'linked'));
  const data = async (version?: number) => {
    const v = version ?? (await rows()).current_version;
    return t.knex(`data.r${resource.id}_v${v}`).orderBy('credit_code').select('*');
  };

  before(async () => {
    t = await testApp();
    resource = await publishedResource(t.knex, t.deptA.uscc);
  });
  after(() => t.close());

  it('loads a CSV by Chinese headers into version 1, marks the entry linked, and profiles it', async () => {
    const load = await upload(header + [1, 2, 3].map((i) => row(i)).join(''));
    expect(load).to.include({ state: 'succeeded', rowsLoaded: 3, rejected: 0, version: 1 });
    expect(load.progress.rowsRead).to.equal(3);
    expect(await rows()).to.deep.equal({ current_version: 1, data_rows: 3, linked: true });
    const stored = await data();
    expect(stored[0]).to.include({ credit_code: uscc(1), company_name: '滨海市示例贸易有限公司1', capital: '10.50', founded_on: '2020-01-02' });
    const shown = await request(t.app).get(`/api/v1/resources/${resource.id}/versions`).set(t.auth('officer')).expect(200);
    expect(shown.body.current).to.equal(1);
    expect(shown.body.items[0].profile.rows).to.equal(3);
    const entry = await request(t.app).get(`/api/v1/resources/${resource.id}`).set(t.auth('registrar', 'B')).expect(200);
    expect(entry.body).to.include({ linked: true });
    expect(entry.body.data).to.include({ version: 1, rows: 3 });
    expect(entry.body.data.quality.columns.capital, 'another department sees counts, never a value').to.deep.equal({ nulls: 0, invalid: 0, distinctEstimate: entry.body.data.quality.columns.capital.distinctEstimate });
    const own = await request(t.app).get(`/api/v1/resources/${resource.id}`).set(t.auth('registrar')).expect(200);
    expect(own.body.data.quality.columns.capital).to.include({ nulls: 0, min: '10.50', max: '31.50' });
  });

  it('rejects bad values exactly, changes nothing when over --max-errors, and serves the rejects as CSV', async () => {
    const bad = header + row(4) + `${uscc(5).slice(0, 17)}0,坏代码公司,李四,1.00,2020-01-01\n` + row(6) + `${uscc(7)},日期错公司,王五,2.00,2020-13-45\n`;
    const failed = await upload(bad);
    expect(failed.state).to.equal('failed');
    expect(failed.error.code).to.equal('max-errors');
    expect(await rows()).to.deep.include({ current_version: 1, data_rows: 3 });
    const csv = await request(t.app).get(`/api/v1/resources/${resource.id}/loads/${failed.id}/rejects.csv`).set(t.auth('registrar')).expect(200);
    expect(csv.headers['content-type']).to.match(/text\/csv/);
    const rejects = parse(csv.text.replace(/^\uFEFF/, ''), { columns: true }) as Record<string, string>[];
    expect(rejects.length).to.be.at.least(1);
    expect(rejects[0]).to.include({ record: '2', line: '3', column: 'credit_code', header: '统一社会信用代码', rule: 'uscc' });

    const allowed = await upload(bad, { maxErrors: 2 });
    expect(allowed).to.include({ state: 'succeeded', rowsLoaded: 2, rejected: 2, version: 2 });
    expect((await data()).map((r: { credit_code: string }) => r.credit_code)).to.deep.equal([uscc(4), uscc(6)]);
  });

  it('appends and upserts by key into new versions, rejecting duplicate keys within the file', async () => {
    await upload(header + [1, 2].map((i) => row(i)).join(''));
    const appended = await upload(header + row(3), { mode: 'append' });
    expect(appended.state).to.equal('succeeded');
    expect((await data()).map((r: { credit_code: string }) => r.credit_code)).to.deep.equal([uscc(1), uscc(2), uscc(3)].sort());
    const upserted = await upload(header + row(2, '改名后的公司') + row(9), { mode: 'upsert', key: 'credit_code' });
    expect(upserted.state, JSON.stringify(upserted.error)).to.equal('succeeded');
    const after = await data();
    expect(after).to.have.length(4);
    expect(after.find((r: { credit_code: string }) => r.credit_code === uscc(2)).company_name).to.equal('改名后的公司');
    const dup = await upload(header + row(2) + row(2, '重复'), { mode: 'upsert', key: 'credit_code' });
    expect(dup.state).to.equal('failed');
  });

  it('reads GB18030 files and keeps old versions per retention, restorable', async () => {
    const gb = iconv.encode(header + row(11, '滨海市鑫源贸易有限公司'), 'gb18030');
    const load = await upload(gb);
    expect(load.state, JSON.stringify(load.error)).to.equal('succeeded');
    expect((await data())[0].company_name).to.equal('滨海市鑫源贸易有限公司');
    const versions = (await request(t.app).get(`/api/v1/resources/${resource.id}/versions`).set(t.auth('officer')).expect(200)).body;
    const kept = versions.items.filter((v: { droppedAt: string | null }) => !v.droppedAt).map((v: { version: number }) => v.version);
    expect(kept).to.have.length(t.services.config.versionRetention);
    const previous = kept[1];
    await request(t.app).post(`/api/v1/resources/${resource.id}/versions/${previous}/restore`).set(t.auth('officer')).expect(200);
    expect((await rows()).current_version).to.equal(previous);
    const dropped = versions.items.find((v: { droppedAt: string | null }) => v.droppedAt);
    await request(t.app).post(`/api/v1/resources/${resource.id}/versions/${dropped.version}/restore`).set(t.auth('officer')).expect(404);
    const gone = await t.knex.raw('select to_regclass(?) as t', [dropped.table]);
    expect(gone.rows[0].t).to.equal(null);
  });

  it('reports missing and unknown columns by name before loading a row', async () => {
    const load = await upload('统一社会信用代码,电话号码\n' + `${uscc(1)},13800138000\n`);
    expect(load.state).to.equal('failed');
    expect(JSON.stringify(load.error)).to.contain('电话号码');
  });

  it('serves rejected values that a spreadsheet would run as formulas as plain text', async () => {
    const load = await upload(header + row(21) + `${uscc(22)},公式公司,赵六,1.00,=1+1\n`, { maxErrors: 1 });
    expect(load).to.include({ state: 'succeeded', rejected: 1 });
    const csv = await request(t.app).get(`/api/v1/resources/${resource.id}/loads/${load.id}/rejects.csv`).set(t.auth('registrar')).expect(200);
    const [reject] = parse(csv.text.replace(/^\uFEFF/, ''), { columns: true }) as Record<string, string>[];
    expect(reject).to.include({ record: '2', column: 'founded_on', value: "'=1+1" });
  });

  it('reports a finished load’s true duration and speed, which agree with the wall time it took', async () => {
    let body = header;
    // large enough that the load takes a good part of a second however fast the loader gets
    for (let i = 0; i < 150_000; i++) body += row(100_000 + i);
    const began = Date.now();
    const load = await upload(body);
    const wall = (Date.now() - began) / 1000;
    expect(load.state, JSON.stringify(load.error)).to.equal('succeeded');
    const { elapsedSeconds, rowsPerSecond, rowsRead } = load.progress;
    expect(rowsRead).to.equal(150_000);
    // the load's own time is part of the wall time (the upload of the body is the rest; on a busy
    // machine it may be most of it), never the zero of a clock read at the transaction's start;
    // elapsedSeconds is shown to a tenth of a second
    expect(elapsedSeconds, `took ${wall} s by the wall clock`).to.be.greaterThan(Math.max(0.1, 0.1 * wall)).and.at.most(wall + 0.1);
    const span = (new Date(load.finishedAt).getTime() - new Date(load.startedAt).getTime()) / 1000;
    expect(span, 'finishedAt - startedAt').to.be.within(elapsedSeconds - 0.1, Math.min(elapsedSeconds + 0.1, wall + 0.1));
    // the speed is the rows over that duration
    expect(rowsPerSecond).to.be.within(rowsRead / (elapsedSeconds + 0.1), rowsRead / Math.max(elapsedSeconds - 0.1, 0.01));
  });

  it('lets only the resource’s department load', async () => {
    await request(t.app).post(`/api/v1/resources/${resource.id}/loads`).set(t.auth('registrar', 'B')).set('Content-Type', 'text/csv').send(header + row(1)).expect(403);
    await request(t.app).post(`/api/v1/resources/${resource.id}/loads`).set(t.auth('authority')).set('Content-Type', 'text/csv').send(header + row(1)).expect(403);
  });

  it('audits every load and the chain still verifies', async () => {
    await chainPending(t.knex);
    const actions = (await t.knex('odx.audit_events').where({ target_type: 'resource', target_id: String(resource.id) }).pluck('action')) as string[];
    expect(actions.filter((a) => a === 'resource.load').length).to.be.greaterThan(3);
    expect(actions).to.include('resource.load.fail').and.include('resource.version.restore').and.include('resource.version.drop');
    expect((await verifyChain(t.knex)).ok).to.equal(true);
  });

  it('survives kill -9 mid-load: the previous version stays current and the load is marked failed', async () => {
    const before = await rows();
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'odx-kill-'));
    const file = path.join(dir, 'big.csv');
    const handle = await fs.open(file, 'w');
    await handle.write(header);
    for (let chunk = 0; chunk < 120; chunk++) {
      let s = '';
      for (let i = 0; i < 10_000; i++) s += row(chunk * 10_000 + i);
      await handle.write(s);
    }
    await handle.close();
    const lastBefore = (await t.knex('odx.loads').max<{ id: number }>('id as id').first())?.id ?? 0;
    const child = spawn(process.execPath, [ODX_BIN, 'load', resource.code, file], { env: { ...process.env, DATABASE_URL: t.db.url, ODX_HOME: dir }, stdio: 'ignore' });
    let load: Record<string, any> | undefined;
    for (let i = 0; i < 300 && !(load?.state === 'running' && load.rows_read > 0); i++) {
      await new Promise((r) => setTimeout(r, 100));
      load = await t.knex('odx.loads').where({ resource_id: resource.id }).where('id', '>', lastBefore).orderBy('id', 'desc').first();
    }
    expect(load?.state, 'the load was running when killed').to.equal('running');
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    expect(await failInterruptedLoads(t.knex)).to.include(load!.id);
    const after = await t.knex('odx.loads').where({ id: load!.id }).first();
    expect(after.state).to.equal('failed');
    expect(after.error.code).to.equal('interrupted');
    expect(await rows()).to.deep.equal(before);
    const tables = (await t.knex.raw(`select tablename from pg_tables where schemaname = 'data' and tablename like ?`, [`r${resource.id}\\_v%`])).rows.map((r: { tablename: string }) => `data.${r.tablename}`);
    const kept = await t.knex('odx.resource_versions').where({ resource_id: resource.id }).whereNull('dropped_at').pluck('table_name');
    expect(tables.sort(), 'no half-built table is left behind').to.deep.equal([...kept].sort());
    await fs.rm(dir, { recursive: true, force: true });
  });
});
