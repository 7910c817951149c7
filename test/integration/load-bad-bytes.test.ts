/**
 * A NUL byte or a UTF-32 file in an upload fails the load at once with its real cause (line,
 * column, "NUL byte" / "UTF-32 is not supported") — not a load left running until its heartbeat
 * goes stale and it is marked "interrupted".
 */
import { expect } from 'chai';
import { parse } from 'csv-parse/sync';
import request from '../helpers/request-en.ts';
import { withUsccCheck } from '../../server/src/lib/identifiers.ts';
import { testApp, type TestApp } from '../helpers/app.ts';
import { publishedResource } from '../helpers/census.ts';

const uscc = (i: number) => withUsccCheck(`91350200MA${String(1000000 + i).padStart(7, '0')}`);
const header = '统一社会信用代码,企业名称,法定代表人,注册资本（万元）,成立日期\n';

function utf32le(text: string, bom: boolean): Buffer {
  const cps = [...text].map((c) => c.codePointAt(0)!);
  const b = Buffer.alloc((cps.length + (bom ? 1 : 0)) * 4);
  let o = 0;
  if (bom) o = b.writeUInt32LE(0xfeff, 0);
  for (const cp of cps) o = b.writeUInt32LE(cp, o);
  return b;
}

describe('loads: NUL bytes and UTF-32 fail at once with their cause', function () {
  this.timeout(60_000);
  let t: TestApp;
  let resource: Record<string, any>;

  async function upload(body: Buffer, query: Record<string, string | number> = {}) {
    const started = Date.now();
    const res = await request(t.app)
      .post(`/api/v1/resources/${encodeURIComponent(resource.code)}/loads`)
      .query(query)
      .set(t.auth('registrar'))
      .set('Content-Type', 'application/octet-stream')
      .send(body)
      .expect(202);
    await t.services.loads.wait(res.body.id);
    const load = (await request(t.app).get(`/api/v1/resources/${resource.id}/loads/${res.body.id}`).set(t.auth('registrar')).expect(200)).body;
    return { load, ms: Date.now() - started };
  }

  before(async () => {
    t = await testApp();
    resource = await publishedResource(t.knex, t.deptA.uscc);
  });
  after(() => t.close());

  it('a NUL byte in a value: the load fails at once, the reject names line, column and the NUL byte', async () => {
    const body = Buffer.from(`${header}${uscc(1)},滨海市\u0000公司,张三,1.00,2020-01-02\n`);
    const { load, ms } = await upload(body, { fileName: 'nul.csv' });
    expect(ms).to.be.lessThan(10_000);
    expect(load.state).to.equal('failed');
    expect(load.error.code).to.equal('max-errors');
    const rejects = await request(t.app).get(`/api/v1/resources/${resource.id}/loads/${load.id}/rejects.csv`).set(t.auth('registrar')).expect(200);
    const rows = parse(rejects.text.replace(/^\uFEFF/, ''), { columns: true }) as Record<string, string>[];
    expect(rows).to.have.length(1);
    expect(JSON.stringify(rows[0])).to.match(/NUL byte/);
    expect(Object.values(rows[0])).to.include('2');
    expect(Object.values(rows[0])).to.include('企业名称');
    expect(Object.values(rows[0])).to.include('滨海市\u2400公司');
  });

  it('a NUL byte with maxErrors: the other rows load, the reject is kept', async () => {
    const body = Buffer.from(`${header}${uscc(1)},滨海市\u0000公司,张三,1.00,2020-01-02\n${uscc(2)},好公司,李四,2.00,2020-01-03\n`);
    const { load } = await upload(body, { maxErrors: 5 });
    expect(load).to.include({ state: 'succeeded', rowsLoaded: 1, rejected: 1 });
  });

  it('UTF-32 with a byte order mark: "UTF-32 is not supported", line 1, at once', async () => {
    const { load, ms } = await upload(utf32le(`${header}${uscc(1)},公司,张三,1.00,2020-01-02\n`, true), { fileName: 'u32.csv' });
    expect(ms).to.be.lessThan(10_000);
    expect(load.state).to.equal('failed');
    expect(load.error).to.include({ code: 'encoding', line: 1 });
    expect(load.error.message).to.match(/UTF-32 is not supported/);
  });

  it('UTF-32 without a byte order mark: a NUL byte in the header, line 1, at once', async () => {
    const { load, ms } = await upload(utf32le(`${header}${uscc(1)},公司,张三,1.00,2020-01-02\n`, false), { fileName: 'u32.csv' });
    expect(ms).to.be.lessThan(10_000);
    expect(load.state).to.equal('failed');
    expect(load.error).to.include({ code: 'encoding', line: 1 });
    expect(load.error.message).to.match(/NUL byte/);
  });

  it('a NUL escaped in JSON fails the load with its cause as well', async () => {
    const body = Buffer.from(JSON.stringify([{ 统一社会信用代码: uscc(3), 企业名称: 'a\u0000b', 法定代表人: '王五', '注册资本（万元）': '1.00', 成立日期: '2020-01-02' }]));
    const { load, ms } = await upload(body, { format: 'json' });
    expect(ms).to.be.lessThan(10_000);
    expect(load.state).to.equal('failed');
    expect(JSON.stringify(load.error)).to.match(/NUL byte|rejected/);
  });
});
