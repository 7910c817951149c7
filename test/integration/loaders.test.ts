/**
 * The ingestion engine against a real PostgreSQL: every format and encoding, every coercion and check,
 * exact rejects, atomicity, keys, append and upsert.
 */
import { expect } from 'chai';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import zlib from 'node:zlib';
import pg from 'pg';
import iconv from 'iconv-lite';
import * as arrow from 'apache-arrow';
import ExcelJS from 'exceljs';
import { ensureLoaderFunctions, loadFile, LoadError, rejectsToCsv, type LoadOptions, type LoadResult, type LoaderItem } from '../../loaders/index.ts';
import { rejectMessageZh } from '../../loaders/rejects.ts';
import { profileTable } from '../../loaders/sql.ts';
import { isIdCard, isMobile, isRegionCode, isUscc, withIdCardCheck, withUsccCheck } from '../../server/src/lib/identifiers.ts';
import { registerHeader, registerItems, registerRows } from '../bench/lib/register.ts';
import { rng } from '../helpers/rng.ts';

/**
 * A database for this file: a fresh clone from the suite's cluster (test/setup.ts), or, when the file
 * runs alone without it, DATABASE_URL / the local server.
 */
async function testDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  try {
    const { freshDatabase } = await import('../helpers/db.ts');
    const db = await freshDatabase();
    return { url: db.url, drop: () => db.drop() };
  } catch (e) {
    if (!/cluster is not started/.test((e as Error).message)) throw e;
    return { url: process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test', drop: async () => {} };
  }
}

const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'loaders');
const U = (p: string) => withUsccCheck(p);
const USCC = ['91440300MA5F00001', '91440300MA5F00002', '91440300MA5F00003', '91440300MA5F00004', '91440300MA5F00005', '91440300MA5F00006'].map(U);

const items: LoaderItem[] = [
  { name: 'uscc', label: '统一社会信用代码', type: 'C', length: 18, required: true, key: true, check: 'uscc' },
  { name: 'name', label: '企业名称', type: 'C', length: 20, required: true },
  { name: 'capital', label: '注册资本', type: 'Y', length: 18, scale: 2, minimum: 0 },
  { name: 'founded', label: '成立日期', type: 'D' },
  { name: 'updated_at', label: '更新时间', type: 'T' },
  { name: 'active', label: '是否有效', type: 'L' },
  { name: 'staff', label: '从业人数', type: 'I', minimum: 0, maximum: 100000 },
  { name: 'score', label: '信用评分', type: 'N', length: 5, scale: 1, minimum: 0, maximum: 100 },
  { name: 'lat', label: '纬度', type: 'B', minimum: -90, maximum: 90 },
  { name: 'ratio', label: '比例', type: 'F' },
  { name: 'status', label: '登记状态', type: 'C', enum: ['存续', '在业', '注销'] },
  { name: 'phone', label: '联系电话', type: 'C', check: 'mobile' },
  { name: 'legal_id', label: '法定代表人身份证号', type: 'C', check: 'id-card' },
  { name: 'district', label: '行政区划', type: 'C', check: 'region-code' },
  { name: 'postcode', label: '邮政编码', type: 'C', pattern: '^[0-9]{6}$' },
  { name: 'note', label: '备注', type: 'M' },
  { name: 'logo', label: '标识', type: 'G' },
];
/** A zip of stored (uncompressed) entries, as a workbook written by another tool might be. */
function storedZip(files: Record<string, string>): Buffer {
  const local: Buffer[] = [];
  const central: Buffer[] = [];
  let offset = 0;
  for (const [name, text] of Object.entries(files)) {
    const data = Buffer.from(text);
    const n = Buffer.from(name);
    const crc = zlib.crc32(data);
    const head = Buffer.alloc(30);
    head.writeUInt32LE(0x04034b50, 0);
    head.writeUInt16LE(20, 4);
    head.writeUInt16LE(0x0800, 6);
    head.writeUInt16LE(0x21, 12);
    head.writeUInt32LE(crc, 14);
    head.writeUInt32LE(data.length, 18);
    head.writeUInt32LE(data.length, 22);
    head.writeUInt16LE(n.length, 26);
    const dirEntry = Buffer.alloc(46);
    dirEntry.writeUInt32LE(0x02014b50, 0);
    dirEntry.writeUInt16LE(20, 4);
    dirEntry.writeUInt16LE(20, 6);
    dirEntry.writeUInt16LE(0x0800, 8);
    dirEntry.writeUInt16LE(0x21, 14);
    dirEntry.writeUInt32LE(crc, 16);
    dirEntry.writeUInt32LE(data.length, 20);
    dirEntry.writeUInt32LE(data.length, 24);
    dirEntry.writeUInt16LE(n.length, 28);
    dirEntry.writeUInt32LE(offset, 42);
    local.push(head, n, data);
    central.push(dirEntry, n);
    offset += head.length + n.length + data.length;
  }
  const dir = Buffer.concat(central);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(central.length / 2, 8);
  end.writeUInt16LE(central.length / 2, 10);
  end.writeUInt32LE(dir.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...local, dir, end]);
}

const ID = withIdCardCheck('44030119900101123');


describe('loaders: loadFile (integration)', function () {
  this.timeout(60000);
  let pool: pg.Pool;
  let db: { url: string; drop(): Promise<void> };
  const schema = `loaders_it_${process.pid}_${Date.now() % 100000}`;
  let dir: string;
  let seq = 0;
  const table = () => `${schema}.t${++seq}`;

  before(async () => {
    db = await testDatabase();
    pool = new pg.Pool({ connectionString: db.url, max: 4 });
    await pool.query(`CREATE SCHEMA ${schema}`);
    const c = await pool.connect();
    try {
      await ensureLoaderFunctions(c);
    } finally {
      c.release();
    }
    dir = mkdtempSync(join(tmpdir(), 'odx-loaders-'));
  });
  after(async () => {
    await pool.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await pool.end();
    await db.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  function file(name: string, content: string | Buffer): string {
    const p = join(dir, name);
    writeFileSync(p, content);
    return p;
  }

  /** Runs a load in its own transaction: commit on success, rollback on error. */
  async function load(o: Partial<LoadOptions> & { source: LoadOptions['source'] }): Promise<LoadResult & { table: string }> {
    const t = o.targetTable ?? table();
    const c = await pool.connect();
    try {
      await c.query('BEGIN');
      const r = await loadFile(c, { items, mode: 'replace', maxErrors: 0, ...o, targetTable: t } as LoadOptions);
      await c.query('COMMIT');
      return { ...r, table: t };
    } catch (e) {
      await c.query('ROLLBACK');
      throw e;
    } finally {
      c.release();
    }
  }
  async function loadError(o: Partial<LoadOptions> & { source: LoadOptions['source'] }): Promise<LoadError & { table: string }> {
    const t = o.targetTable ?? table();
    try {
      await load({ ...o, targetTable: t });
    } catch (e) {
      expect(e).to.be.instanceOf(LoadError);
      return Object.assign(e as LoadError, { table: t });
    }
    throw new Error('the load did not fail');
  }
  async function rows(t: string, order = 'uscc'): Promise<Record<string, unknown>[]> {
    return (await pool.query(`SELECT * FROM ${t} ORDER BY ${order}`)).rows;
  }
  async function exists(t: string): Promise<boolean> {
    return (await pool.query(`SELECT to_regclass($1) IS NOT NULL AS x`, [t])).rows[0].x;
  }

  const fullHeader = items.map((i) => i.label!).join(',');

  describe('CSV: types and coercions', () => {
    it('loads every item type, coercing each accepted form, by Chinese label headers', async () => {
      const csv =
        fullHeader +
        '\n' +
        [
          `${USCC[0]},深圳市华信科技有限公司,"1,234.50",2024/1/5,2024-01-05 08:30:00,是,12,99.5,22.543096,0.25,存续,13800138000,${ID},440305,518000,"多行
备注",\\x0aff`,
          `${USCC[1]},"有""引号""的公司",0.01,2024年1月5日,2024-01-05T00:30:00Z,否,0,0,-90,1e-3,在业,,,,,,AQID`,
          `${USCC[2]},最小的公司,,45296,45296.5,1,100000,100.0,90,-1.5E2,注销,,,440305001001,,,`,
          `${USCC[3]},  有空格  ,100,20240105,2024/1/5 8:30,N,,,,,,,,,,,`,
        ].join('\n') +
        '\n';
      const r = await load({ source: file('types.csv', csv) });
      expect(r.rows).to.equal(4);
      expect(r.rejected).to.equal(0);
      expect(r.format).to.equal('csv');
      expect(r.delimiter).to.equal(',');
      const got = await pool.query(
        `SELECT uscc, name, capital::text, founded::text, to_char(updated_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS') AS upd,
                active, staff::text AS staff, score::text, lat, ratio, status, phone, legal_id, district, postcode, note, encode(logo, 'hex') AS logo
           FROM ${r.table} ORDER BY uscc`,
      );
      expect(got.rows[0]).to.deep.equal({
        uscc: USCC[0], name: '深圳市华信科技有限公司', capital: '1234.50', founded: '2024-01-05', upd: '2024-01-05 00:30:00',
        active: true, staff: '12', score: '99.5', lat: 22.543096, ratio: 0.25, status: '存续', phone: '13800138000', legal_id: ID,
        district: '440305', postcode: '518000', note: '多行\n备注', logo: '0aff',
      });
      expect(got.rows[1]).to.include({ name: '有"引号"的公司', capital: '0.01', founded: '2024-01-05', upd: '2024-01-05 00:30:00', active: false });
      expect(got.rows[1]).to.include({ phone: null, legal_id: null, logo: '010203', lat: -90, ratio: 0.001 });
      expect(got.rows[2]).to.include({ capital: null, founded: '2024-01-05', upd: '2024-01-05 04:00:00', active: true, staff: '100000' });
      expect(got.rows[2]).to.include({ score: '100.0', ratio: -150, district: '440305001001', logo: null });
      expect(got.rows[3]).to.include({ name: '  有空格  ', founded: '2024-01-05', upd: '2024-01-05 00:30:00', active: false, staff: null });
      const types = await pool.query(
        `SELECT column_name, data_type, is_nullable, collation_name FROM information_schema.columns WHERE table_schema = $1 AND table_name = $2 ORDER BY ordinal_position`,
        [schema, r.table.split('.')[1]],
      );
      expect(types.rows.map((x) => x.data_type)).to.deep.equal([
        'character varying', 'character varying', 'numeric', 'date', 'timestamp with time zone', 'boolean', 'bigint', 'numeric',
        'double precision', 'double precision', 'text', 'text', 'text', 'text', 'text', 'text', 'bytea',
      ]);
      expect(types.rows[0]).to.include({ is_nullable: 'NO', collation_name: 'C' });
      const pk = await pool.query(`SELECT pg_get_constraintdef(oid) AS d FROM pg_constraint WHERE conrelid = $1::regclass AND contype = 'p'`, [r.table]);
      expect(pk.rows[0].d).to.equal('PRIMARY KEY (uscc)');
      // the COPY text format (default for UTF-8), CSV and BINARY store the same rows
      for (const copyFormat of ['csv', 'binary'] as const) {
        const other = await load({ source: join(dir, 'types.csv'), copyFormat });
        const diff = await pool.query(
          `SELECT count(*)::int AS n FROM ((TABLE ${r.table} EXCEPT ALL TABLE ${other.table}) UNION ALL (TABLE ${other.table} EXCEPT ALL TABLE ${r.table})) d`,
        );
        expect(diff.rows[0].n, copyFormat).to.equal(0);
      }
    });

    it('hands records that quote fields to COPY CSV as they are, storing what COPY text stores, with exact rejects', async () => {
      const lines = [
        '统一社会信用代码,企业名称,备注,行政区划',
        `${USCC[0]},"深圳甲公司",plain,440300`,
        `${USCC[1]},"乙, ""有限"" 公司","两行
第二行",440300`,
        `${USCC[2]},丙公司,a\\b "bare" \\.,440300`,
        `${USCC[3]},"丁公司","\\.",999999`, // record 4, line 6: not a region code
        `${USCC[4]},"",,440300`, // record 5, line 7: the name is required
        `${USCC[5]},"戊公司",,`,
      ];
      const p = file('quoted.csv', lines.join('\r\n') + '\r\n');
      const r = await load({ source: p, maxErrors: 2 });
      const t = await load({ source: p, maxErrors: 2, copyFormat: 'text' });
      for (const x of [r, t]) {
        expect(x.rows).to.equal(4);
        expect(x.rejects.map((j) => [j.record, j.line, j.column, j.rule])).to.deep.equal([[4, 6, 'district', 'region-code'], [5, 7, 'name', 'required']]);
      }
      const got = await pool.query(`SELECT uscc, name, note, district FROM ${r.table} ORDER BY uscc`);
      expect(got.rows).to.deep.equal([
        { uscc: USCC[0], name: '深圳甲公司', note: 'plain', district: '440300' },
        { uscc: USCC[1], name: '乙, "有限" 公司', note: '两行\n第二行', district: '440300' },
        { uscc: USCC[2], name: '丙公司', note: 'a\\b "bare" \\.', district: '440300' },
        { uscc: USCC[5], name: '戊公司', note: null, district: null },
      ]);
      const diff = await pool.query(`SELECT count(*)::int AS n FROM ((TABLE ${r.table} EXCEPT ALL TABLE ${t.table}) UNION ALL (TABLE ${t.table} EXCEPT ALL TABLE ${r.table})) d`);
      expect(diff.rows[0].n).to.equal(0);
    });

    it('reports every broken rule with record, line, column, header, value and rule', async () => {
      const lines = [
        fullHeader,
        `${USCC[0]},好公司,1,2024-01-01,,,,,,,存续,,,,,,`, // record 1 ok
        `91440300MA5F000019,坏代码公司,1,2024-01-01,,,,,,,存续,,,,,,`, // 2: uscc
        `${USCC[2]},"跨行的
公司名",-1,2024-02-30,,也许,1.5,100.5,91,abc,吊销,12800138000,440301199001011235,990101,51800,,xyz!`, // 3 (lines 4-5): many
        `${USCC[3]},,1,,,,,,,,,,,,,,`, // 4 (line 6): name required
        `${USCC[4]},一个名字非常非常非常非常非常非常长的公司有限公司,1.234,,,,,,,,,,,,,,`, // 5 (line 7): length, scale
        `${USCC[5]},少一列`, // 6 (line 8): field count
        '', // blank line 9: skipped
        `${U('91440300MA5F00007')},最后,2,2024-1-2,2024-01-05 25:00,,,,,,,,,,,,`, // 7 (line 10): T
      ];
      const r = await load({ source: file('rejects.csv', lines.join('\r\n') + '\r\n'), maxErrors: 10 });
      expect(r.rows).to.equal(1);
      expect(r.rejected).to.equal(6);
      const brief = r.rejects.map((x) => [x.record, x.line, x.column, x.header, x.value, x.rule]);
      expect(brief).to.deep.equal([
        [2, 3, 'uscc', '统一社会信用代码', '91440300MA5F000019', 'uscc'],
        [3, 4, 'capital', '注册资本', '-1', 'minimum'],
        [3, 4, 'founded', '成立日期', '2024-02-30', 'type'],
        [3, 4, 'active', '是否有效', '也许', 'type'],
        [3, 4, 'staff', '从业人数', '1.5', 'type'],
        [3, 4, 'score', '信用评分', '100.5', 'maximum'],
        [3, 4, 'lat', '纬度', '91', 'maximum'],
        [3, 4, 'ratio', '比例', 'abc', 'type'],
        [3, 4, 'status', '登记状态', '吊销', 'enum'],
        [3, 4, 'phone', '联系电话', '12800138000', 'mobile'],
        [3, 4, 'legal_id', '法定代表人身份证号', '440301199001011235', 'id-card'],
        [3, 4, 'district', '行政区划', '990101', 'region-code'],
        [3, 4, 'postcode', '邮政编码', '51800', 'pattern'],
        [3, 4, 'logo', '标识', 'xyz!', 'type'],
        [4, 6, 'name', '企业名称', null, 'required'],
        [5, 7, 'name', '企业名称', '一个名字非常非常非常非常非常非常长的公司有限公司', 'length'],
        [5, 7, 'capital', '注册资本', '1.234', 'scale'],
        [6, 8, null, null, `${USCC[5]},少一列`, 'format'],
        [7, 10, 'updated_at', '更新时间', '2024-01-05 25:00', 'type'],
      ]);
      expect(r.rejects[0].message).to.match(/^统一社会信用代码 \(uscc\): .*统一社会信用代码/);
      expect(r.profile.columns.name.invalid).to.equal(2);
      expect(r.profile.columns.uscc.invalid).to.equal(1);
      expect((await rows(r.table)).map((x) => x.uscc)).to.deep.equal([USCC[0]]);
      const csv = rejectsToCsv(r.rejects);
      const quoted = (v: string) => `"${v.replace(/"/g, '""')}"`;
      expect(csv.split('\r\n')[1]).to.equal(`2,3,uscc,统一社会信用代码,91440300MA5F000019,uscc,${quoted(r.rejects[0].message)},${quoted(rejectMessageZh(r.rejects[0]))}`);
    });

    it('COPY CSV and BINARY give the same rows and rejects as COPY text (and map server errors to lines)', async () => {
      const a = await load({ source: join(dir, 'rejects.csv'), maxErrors: 10 });
      for (const copyFormat of ['csv', 'binary'] as const) {
        const b = await load({ source: join(dir, 'rejects.csv'), maxErrors: 10, copyFormat });
        expect(b.rejects).to.deep.equal(a.rejects);
        expect(b.profile).to.deep.equal(a.profile);
        const diff = await pool.query(
          `SELECT count(*)::int AS n FROM ((TABLE ${a.table} EXCEPT ALL TABLE ${b.table}) UNION ALL (TABLE ${b.table} EXCEPT ALL TABLE ${a.table})) d`,
        );
        expect(diff.rows[0].n).to.equal(0);
        const bad = Buffer.concat([Buffer.from(`统一社会信用代码,企业名称,备注\n${USCC[0]},a,ok\nbad,x,y\n${USCC[1]},b,`), Buffer.from([0xe4, 0xb8]), Buffer.from('\n')]);
        const e = await loadError({ source: file('bad-utf8-bin.csv', bad), encoding: 'utf8', maxErrors: 1, copyFormat });
        expect([e.code, e.line]).to.deep.equal(['encoding', 4]);
      }
    });
    it('COPY text format: backslashes, quotes, delimiters, tabs and newlines inside values survive', async () => {
      const csv = [
        '统一社会信用代码,企业名称,备注',
        `${USCC[0]},a\\b\\N,"x,y\\.\tz"`,
        `${USCC[1]},\\.,"多\n行\\n"`,
        `${USCC[2]},"""引号""",5" disk`,
        `${USCC[3]},\\,""`,
      ].join('\n');
      const r = await load({ source: file('text-escapes.csv', csv) });
      const got = await pool.query(`SELECT name, note FROM ${r.table} ORDER BY uscc`);
      expect(got.rows).to.deep.equal([
        { name: 'a\\b\\N', note: 'x,y\\.\tz' },
        { name: '\\.', note: '多\n行\\n' },
        { name: '"引号"', note: '5" disk' },
        { name: '\\', note: null },
      ]);
    });
    it('over max-errors: fails, reports the first rejects, and nothing changes', async () => {
      const csv = `统一社会信用代码,企业名称\n${USCC[0]},a\nbad1,b\nbad2,c\n${USCC[3]},d\n`;
      const e = await loadError({ source: file('max.csv', csv), maxErrors: 1 });
      expect(e.code).to.equal('max-errors');
      expect(e.rejected).to.equal(2);
      expect(e.rejects!.map((x) => [x.record, x.value])).to.deep.equal([[2, 'bad1'], [3, 'bad2']]);
      expect(await exists(e.table)).to.equal(false);
      const ok = await load({ source: file('max.csv', csv), maxErrors: 2 });
      expect(ok.rows).to.equal(2);
    });

    it('names missing and unknown columns before any row is read, and creates nothing', async () => {
      const e1 = await loadError({ source: file('missing.csv', `企业名称,注册资本\n甲,1\n`) });
      expect(e1.code).to.equal('missing-columns');
      expect(e1.missingColumns).to.deep.equal(['uscc (统一社会信用代码)']);
      expect(e1.message).to.contain('统一社会信用代码');
      const e2 = await loadError({ source: file('unknown.csv', `统一社会信用代码,企业名称,法人代表,经营范围\n${USCC[0]},甲,张三,x\n`) });
      expect(e2.code).to.equal('unknown-columns');
      expect(e2.unknownColumns).to.deep.equal(['法人代表', '经营范围']);
      const c = await pool.connect();
      try {
        await c.query('BEGIN');
        const t = table();
        let caught: unknown;
        try {
          await loadFile(c, { items, source: file('unknown2.csv', `统一社会信用代码,企业名称,法人代表\n`), targetTable: t, mode: 'replace', maxErrors: 0 });
        } catch (x) {
          caught = x;
        }
        expect((caught as LoadError).code).to.equal('unknown-columns');
        // the transaction is still usable: nothing was created, no statement failed
        const r = await c.query(`SELECT to_regclass($1) AS t`, [t]);
        expect(r.rows[0].t).to.equal(null);
        await c.query('ROLLBACK');
      } finally {
        c.release();
      }
    });

    it('maps headers through a mapping file (and skips columns mapped to "")', async () => {
      const csv = `信用代码,单位名称,内部编号,ＵＳＣＣ备注\n${USCC[0]},甲公司,A-1,\n`;
      const r = await load({
        source: file('mapped.csv', csv),
        mapping: { 信用代码: 'uscc', 单位名称: 'name', 内部编号: '', ＵＳＣＣ备注: 'note' },
      });
      expect(r.rows).to.equal(1);
      expect(r.ignoredColumns).to.deep.equal(['内部编号']);
      expect(r.columns.slice(0, 3)).to.deep.equal([
        { header: '信用代码', item: 'uscc' },
        { header: '单位名称', item: 'name' },
        { header: 'ＵＳＣＣ备注', item: 'note' },
      ]);
      expect(await rows(r.table)).to.have.length(1);
    });

    it('matches headers by field name too, case and spacing aside', async () => {
      const r = await load({ source: file('names.csv', ` USCC ,Name\n${USCC[0]},甲\n`) });
      expect(r.columns.slice(0, 2)).to.deep.equal([
        { header: 'USCC', item: 'uscc' },
        { header: 'Name', item: 'name' },
      ]);
    });
  });

  describe('CSV: dialects and encodings', () => {
    const regItems = registerItems as unknown as LoaderItem[];
    async function checkRegister(r: LoadResult & { table: string }) {
      expect(r.rows).to.equal(4);
      expect(r.rejects.map((x) => [x.record, x.line, x.column, x.value, x.rule])).to.deep.equal([[5, 6, 'founded', '2021-02-30', 'type']]);
      const got = (await pool.query(`SELECT name, capital::text AS capital FROM ${r.table} ORDER BY uscc`)).rows;
      expect(got.map((x) => x.name)).to.deep.equal(['深圳市华信科技有限公司', '深圳市鑫源贸易有限公司', '深圳市安康医疗器械, 有限公司', '深圳市腾飞物流有限公司']);
      expect(got.map((x) => x.capital)).to.deep.equal(['1000.00', '500.00', '2350.50', '120.00']);
      const f = await pool.query(`SELECT founded::text FROM ${r.table} ORDER BY uscc`);
      expect(f.rows.map((x) => x.founded)).to.deep.equal(['2019-03-05', '2020-07-15', '2015-11-30', '2020-01-01']);
      expect(r.columns[0]).to.deep.equal({ header: '统一社会信用代码', item: 'uscc' });
    }
    it('quoted fields with doubled quotes pass through checked on their unescaped bytes: the same rows, rejects and profile as the exact parser', async () => {
      // The exact path: the same records as a JSON array of strings (decoded and coerced value by value).
      const recs: Record<string, string>[] = [];
      for (let i = 0; i < 400; i++) {
        const kind = i % 8;
        const r: Record<string, string> = { uscc: U('91440300MA' + String(i).padStart(7, '0')), name: `公司"${i}"`, staff: String(i) };
        if (kind === 1) r.name = '"'.repeat(3) + '名'.repeat(17); // 20 characters: within the length
        if (kind === 2) r.name = '"' + '名'.repeat(20); // 21: a length reject
        if (kind === 3) r.status = '存"续'; // not in the enum
        if (kind === 4) r.postcode = '51"000'; // fails the pattern
        if (kind === 5) r.postcode = '518000';
        if (kind === 6) r.note = `经营范围: "${i}", 含\n第二行, 及 ""引号""`;
        if (kind === 7) r.status = '在业';
        if (i === 77) r.name = '!"最小"'; // the profile's minimum holds a quote
        if (i === 78) r.note = '""';
        recs.push(r);
      }
      const cols = ['uscc', 'name', 'status', 'postcode', 'note', 'staff'];
      const q = (v: string | undefined) => (v === undefined ? '' : `"${v.replace(/"/g, '""')}"`);
      const csv = cols.join(',') + '\r\n' + recs.map((r) => cols.map((c) => q(r[c])).join(',')).join('\r\n') + '\r\n';
      const exact = await load({ source: file('escaped.json', JSON.stringify(recs)), maxErrors: 200 });
      const rj = (r: LoadResult) => r.rejects.map((x) => [x.record, x.column, x.value, x.rule, x.message]);
      for (const copyFormat of [undefined, 'text', 'binary'] as const) {
        const r = await load({ source: file('escaped.csv', csv), maxErrors: 200, copyFormat });
        const diff = await pool.query(
          `SELECT count(*)::int AS n FROM ((TABLE ${r.table} EXCEPT ALL TABLE ${exact.table}) UNION ALL (TABLE ${exact.table} EXCEPT ALL TABLE ${r.table})) d`,
        );
        expect(diff.rows[0].n, `rows differ (${copyFormat ?? 'csv'})`).to.equal(0);
        expect(rj(r), copyFormat).to.deep.equal(rj(exact));
        expect(r.profile, copyFormat).to.deep.equal(exact.profile);
        expect([r.rows, r.rejected]).to.deep.equal([250, 150]);
      }
      expect(exact.profile.columns.name.min).to.equal('!"最小"');
      expect(exact.profile.columns.note.min).to.equal('""');
      const lines = (await load({ source: file('escaped.csv', csv), maxErrors: 200 })).rejects.filter((x) => x.rule === 'length').map((x) => x.line);
      expect(lines.slice(0, 2)).to.deep.equal([4, 13]);
    });
    it('GBK export from Chinese Windows Excel (detected as GB18030)', async () => {
      const r = await load({ items: regItems, source: join(FIXTURES, 'register-gbk.csv'), maxErrors: 1 });
      expect(r.encoding).to.equal('gb18030');
      await checkRegister(r);
    });
    it('UTF-8 with BOM (the BOM never reaches a header)', async () => {
      const r = await load({ items: regItems, source: join(FIXTURES, 'register-utf8-bom.csv'), maxErrors: 1 });
      expect(r.encoding).to.equal('utf8');
      expect(r.columns[0]).to.deep.equal({ header: '统一社会信用代码', item: 'uscc' });
      await checkRegister(r);
    });
    it('Excel "Unicode text" (UTF-16LE, tab-separated)', async () => {
      const r = await load({ items: regItems, source: join(FIXTURES, 'register-unicode.txt'), maxErrors: 1 });
      expect(r.encoding).to.equal('utf16le');
      expect(r.delimiter).to.equal('\t');
      await checkRegister(r);
    });
    it('GB18030 characters outside GBK, and an explicit encoding', async () => {
      const text = `统一社会信用代码,企业名称\n${USCC[0]},𠀀记商行\n${USCC[1]},䶮记\n`;
      const p = file('gb18030.csv', iconv.encode(text, 'gb18030'));
      const r = await load({ source: p });
      expect(r.encoding).to.equal('gb18030');
      expect((await rows(r.table)).map((x) => x.name)).to.deep.equal(['𠀀记商行', '䶮记']);
      const r2 = await load({ source: p, encoding: 'gb18030' });
      expect(r2.rows).to.equal(2);
    });
    it('GB18030 bytes pass through to COPY: lengths, enums, rewrites and quoting work on them', async () => {
      const gbItems: LoaderItem[] = [
        { name: 'uscc', label: '统一社会信用代码', type: 'C', length: 18, required: true, check: 'uscc' },
        { name: 'name', label: '企业名称', type: 'C', length: 6 },
        { name: 'status', label: '登记状态', type: 'C', enum: ['存续', '注销'] },
        { name: 'founded', label: '成立日期', type: 'D' },
      ];
      const text = [
        '统一社会信用代码;企业名称;登记状态;成立日期',
        `${USCC[0]};𠀀𠀁记商行;存续;2024年1月5日`,
        `${USCC[1]};五"号"店;注销;2024-01-06`,
        `${USCC[2]};七个字的公司名;存续;2024-01-07`,
        `${USCC[3]};丁;吊销;2024-01-08`,
        `${USCC[4]};"戊;己";存续;`,
      ].join('\r\n');
      const r = await load({ items: gbItems, source: file('gb-pass.csv', iconv.encode(text, 'gb18030')), maxErrors: 2 });
      expect([r.encoding, r.delimiter]).to.deep.equal(['gb18030', ';']);
      expect(r.rejects.map((x) => [x.record, x.column, x.value, x.rule])).to.deep.equal([
        [3, 'name', '七个字的公司名', 'length'],
        [4, 'status', '吊销', 'enum'],
      ]);
      const got = await pool.query(`SELECT name, status, founded::text FROM ${r.table} ORDER BY uscc`);
      expect(got.rows).to.deep.equal([
        { name: '𠀀𠀁记商行', status: '存续', founded: '2024-01-05' },
        { name: '五"号"店', status: '注销', founded: '2024-01-06' },
        { name: '戊;己', status: '存续', founded: null },
      ]);
    });
    it('GB18030 with "|" as delimiter (a byte that can sit inside a character) is transcoded first', async () => {
      const text = `统一社会信用代码|企业名称\n${USCC[0]}|億利达\n${USCC[1]}|倈记\n`;
      const r = await load({ source: file('gb-pipe.csv', iconv.encode(text, 'gb18030')) });
      expect([r.encoding, r.delimiter]).to.deep.equal(['gb18030', '|']);
      expect((await rows(r.table)).map((x) => x.name)).to.deep.equal(['億利达', '倈记']);
    });
    for (const [name, d] of [['semicolon', ';'], ['tab', '\t'], ['pipe', '|']] as const) {
      it(`sniffs the ${name} delimiter; quoted fields, embedded newlines and CRLF`, async () => {
        const csv = [`统一社会信用代码${d}企业名称${d}备注`, `${USCC[0]}${d}"甲${d}公司"${d}"第一行\r\n第二行"`, `${USCC[1]}${d}乙${d}`].join('\r\n') + '\r\n';
        const r = await load({ source: file(`d-${name}.csv`, csv) });
        expect(r.delimiter).to.equal(d);
        const got = await rows(r.table);
        expect(got.map((x) => [x.name, x.note])).to.deep.equal([[`甲${d}公司`, '第一行\r\n第二行'], ['乙', null]]);
      });
    }
    it('tsv format option, LF-only and CR-only line ends, no final newline', async () => {
      const r1 = await load({ source: file('x.tsv', `统一社会信用代码\t企业名称\n${USCC[0]}\ta,b\n${USCC[1]}\tc`) });
      expect(r1.delimiter).to.equal('\t');
      expect(r1.rows).to.equal(2);
      const r2 = await load({ source: file('cr.csv', `统一社会信用代码,企业名称\r${USCC[0]},a\r${USCC[1]},b\r`) });
      expect(r2.rows).to.equal(2);
    });
    it('mixed line ends and blank lines are normalised for COPY; lines still count them', async () => {
      const csv = `统一社会信用代码,企业名称,成立日期\r\n${USCC[0]},a,2024-01-01\n\n${USCC[1]},b,2024/1/2\r\n,,\r\n${USCC[2]},"c\n\nc",x\r\n${USCC[3]},d,2024-01-04`;
      const r = await load({ source: file('mixed.csv', csv), maxErrors: 1 });
      expect(r.rows).to.equal(3);
      expect(r.rejects.map((x) => [x.record, x.line, x.value])).to.deep.equal([[3, 6, 'x']]);
      const got = await pool.query(`SELECT uscc, name, founded::text FROM ${r.table} ORDER BY uscc`);
      expect(got.rows.map((x) => [x.name, x.founded])).to.deep.equal([['a', '2024-01-01'], ['b', '2024-01-02'], ['d', '2024-01-04']]);
    });
    it('a quoted field of several MB (spanning many reads) loads intact', async () => {
      const big = '长'.repeat(3_000_000) + '\n"' + 'x'.repeat(1000);
      const csv = `统一社会信用代码,企业名称,备注\n${USCC[0]},甲,"${big.replace(/"/g, '""')}"\n${USCC[1]},乙,\n`;
      const r = await load({ source: file('bigfield.csv', csv) });
      expect(r.rows).to.equal(2);
      const got = await pool.query(`SELECT length(note) AS n, md5(note) = md5($1) AS same FROM ${r.table} WHERE uscc = $2`, [big, USCC[0]]);
      expect(got.rows[0]).to.deep.equal({ n: big.length, same: true });
    });
    it('bare quotes inside unquoted fields are kept as text', async () => {
      const r = await load({ source: file('bare.csv', `统一社会信用代码,企业名称\n${USCC[0]},5" 软盘厂\n`) });
      expect((await rows(r.table))[0].name).to.equal('5" 软盘厂');
    });
    it('a parse error (unterminated quote) fails the load with its line', async () => {
      const e = await loadError({ source: file('unterminated.csv', `统一社会信用代码,企业名称\n${USCC[0]},a\n${USCC[1]},"b\n\n`) });
      expect(e.code).to.equal('parse');
      expect(e.message).to.contain('line 3');
      expect([e.line, e.column]).to.deep.equal([3, '企业名称']);
      expect(await exists(e.table)).to.equal(false);
    });
    it('bad UTF-8 bytes fail the load with the line (checked and unchecked columns)', async () => {
      const bad = Buffer.concat([
        Buffer.from(`统一社会信用代码,企业名称,备注\n${USCC[0]},a,ok\n${USCC[1]},b,`),
        Buffer.from([0xe4, 0xb8]),
        Buffer.from('\n'),
      ]);
      const e = await loadError({ source: file('bad-utf8.csv', bad), encoding: 'utf8' });
      expect(e.code).to.equal('encoding');
      expect(e.message).to.match(/line 3/);
      const bad2 = Buffer.concat([Buffer.from(`统一社会信用代码,企业名称\n${USCC[0]},a\n${USCC[1]},`), Buffer.from([0xff, 0x41]), Buffer.from('\n')]);
      const e2 = await loadError({ source: file('bad-utf8-2.csv', bad2), encoding: 'utf8' });
      expect(e2.code).to.equal('encoding');
      expect(e2.line).to.equal(3);
    });
    it('undecodable GB18030 bytes fail the load with the line', async () => {
      const bad = (col: string) =>
        Buffer.concat([
          iconv.encode(`统一社会信用代码,企业名称,备注\n${USCC[0]},甲,说明\n${USCC[1]},${col === 'name' ? '' : '乙,'}`, 'gb18030'),
          Buffer.from([0x81, 0x20]),
          iconv.encode(col === 'name' ? ',x\n' : '\n', 'gb18030'),
        ]);
      const e1 = await loadError({ source: file('bad-gb1.csv', bad('name')), encoding: 'gb18030' });
      expect([e1.code, e1.line]).to.deep.equal(['encoding', 3]);
      const e2 = await loadError({ source: file('bad-gb2.csv', bad('note')), encoding: 'gb18030' });
      expect([e2.code, e2.line]).to.deep.equal(['encoding', 3]);
    });
    it('reads from a stream, sniffing the format from the content', async () => {
      const r = await load({ source: Readable.from([Buffer.from(`统一社会信用代码,企业名称\n${USCC[0]},`), Buffer.from('甲\n')]) });
      expect(r.rows).to.equal(1);
      expect(r.format).to.equal('csv');
    });
  });

  describe('keys, append and upsert', () => {
    const small: LoaderItem[] = [
      { name: 'uscc', label: '统一社会信用代码', type: 'C', length: 18, required: true, key: true, check: 'uscc' },
      { name: 'name', label: '企业名称', type: 'C', required: true },
      { name: 'capital', label: '注册资本', type: 'Y', length: 18, scale: 2 },
    ];
    it('builds the key with more maintenance_work_mem and gives the transaction its own setting back', async () => {
      const c = await pool.connect();
      const seen: string[] = [];
      const query = c.query.bind(c) as (...a: unknown[]) => Promise<pg.QueryResult>;
      // the setting the server had while the key was built
      (c as unknown as { query: unknown }).query = (...a: unknown[]) => {
        if (typeof a[0] === 'string' && a[0].startsWith('ALTER TABLE') && a[0].includes('PRIMARY KEY'))
          return query('SHOW maintenance_work_mem').then((r) => {
            seen.push(r.rows[0].maintenance_work_mem);
            return query(...a);
          });
        return query(...a); // COPY's stream is returned as it is
      };
      try {
        await c.query('BEGIN');
        await c.query(`SET LOCAL maintenance_work_mem = '32MB'`);
        const csv = `统一社会信用代码,企业名称\n${USCC[0]},甲\n${USCC[1]},乙\n${USCC[0]},丙\n`;
        const r = await loadFile(c, { items: small, source: file('mem.csv', csv), targetTable: table(), mode: 'replace', maxErrors: 1 });
        expect(r.rejects.map((x) => x.rule)).to.deep.equal(['duplicate-key']);
        expect(seen).to.deep.equal(['256MB', '256MB']); // the failed build and the one after the duplicate went
        expect((await c.query('SHOW maintenance_work_mem')).rows[0].maintenance_work_mem).to.equal('32MB');
        await c.query(`SET LOCAL maintenance_work_mem = '1GB'`);
        seen.length = 0;
        await loadFile(c, { items: small, source: file('mem2.csv', csv.split('\n').slice(0, 3).join('\n')), targetTable: table(), mode: 'replace', maxErrors: 0 });
        expect(seen).to.deep.equal(['1GB']); // never lowered
      } finally {
        await c.query('ROLLBACK');
        c.release();
      }
    });
    it('duplicate keys within a file reject every occurrence after the first, with exact lines', async () => {
      const csv = `统一社会信用代码,企业名称,注册资本\n${USCC[0]},a,1\n${USCC[1]},"b\nb",2\n${USCC[0]},c,3\n${USCC[2]},d,4\n${USCC[1]},e,5\n${USCC[0]},f,6\n`;
      const r = await load({ items: small, source: file('dups.csv', csv), maxErrors: 3 });
      expect(r.rows).to.equal(3);
      expect(r.rejected).to.equal(3);
      expect(r.rejects.map((x) => [x.record, x.line, x.column, x.value, x.rule])).to.deep.equal([
        [3, 5, 'uscc', USCC[0], 'duplicate-key'],
        [5, 7, 'uscc', USCC[1], 'duplicate-key'],
        [6, 8, 'uscc', USCC[0], 'duplicate-key'],
      ]);
      expect(r.rejects[0].message).to.contain('record 1 (line 2)');
      expect((await rows(r.table)).map((x) => x.name)).to.deep.equal(['a', 'b\nb', 'd']);
      const e = await loadError({ items: small, source: file('dups.csv', csv), maxErrors: 2 });
      expect(e.code).to.equal('max-errors');
    });
    it('duplicate key detection stays exact on a multi-page table with rejected rows in between', async () => {
      let csv = '统一社会信用代码,企业名称,注册资本\n';
      const n = 20000;
      for (let i = 0; i < n; i++) {
        const code = U('91440300MA' + String(i).padStart(7, '0'));
        csv += `${code},${'名'.repeat(1 + (i % 37))},${i % 1000 === 0 ? 'x' : i}\n`;
        if (i === 15000) csv += `${U('91440300MA' + String(7).padStart(7, '0'))},dup,1\n`;
      }
      const r = await load({ items: small, source: file('big-dups.csv', csv), maxErrors: 100 });
      const dup = r.rejects.find((x) => x.rule === 'duplicate-key')!;
      expect(dup.record).to.equal(15002);
      expect(dup.line).to.equal(15003);
      expect(r.rejected).to.equal(21);
    });
    it('upsert: file rows replace base rows with the same key, others are kept, new keys added', async () => {
      const v1 = await load({ items: small, source: file('v1.csv', `统一社会信用代码,企业名称,注册资本\n${USCC[0]},a,1\n${USCC[1]},b,2\n${USCC[2]},c,3\n`) });
      const v2 = await load({
        items: small,
        mode: 'upsert',
        baseTable: v1.table,
        source: file('v2.csv', `统一社会信用代码,企业名称,注册资本\n${USCC[1]},B,20\n${USCC[3]},D,40\n${USCC[3]},D2,41\n`),
        maxErrors: 1,
      });
      expect(v2.rows).to.equal(2);
      expect(v2.rejects.map((x) => [x.record, x.rule])).to.deep.equal([[3, 'duplicate-key']]);
      expect(v2.baseRows).to.equal(2);
      expect(v2.replacedRows).to.equal(1);
      expect(v2.totalRows).to.equal(4);
      expect((await rows(v2.table)).map((x) => [x.uscc, x.name, x.capital])).to.deep.equal([
        [USCC[0], 'a', '1.00'],
        [USCC[1], 'B', '20.00'],
        [USCC[2], 'c', '3.00'],
        [USCC[3], 'D', '40.00'],
      ]);
      expect((await rows(v1.table)).map((x) => x.name)).to.deep.equal(['a', 'b', 'c']);
    });
    it('append: adds rows to the base version; keys already there are rejects', async () => {
      const v1 = await load({ items: small, source: file('a1.csv', `统一社会信用代码,企业名称\n${USCC[0]},a\n${USCC[1]},b\n`) });
      const v2 = await load({
        items: small,
        mode: 'append',
        baseTable: v1.table,
        source: file('a2.csv', `统一社会信用代码,企业名称\n${USCC[2]},c\n${USCC[1]},b again\n`),
        maxErrors: 1,
      });
      expect(v2.rows).to.equal(1);
      expect(v2.baseRows).to.equal(2);
      expect(v2.rejects.map((x) => [x.record, x.line, x.rule])).to.deep.equal([[2, 3, 'duplicate-key']]);
      expect(v2.rejects[0].message).to.contain('already in the current version');
      expect((await rows(v2.table)).map((x) => x.name)).to.deep.equal(['a', 'b', 'c']);
      const noKey = small.map((i) => ({ ...i, key: false }));
      const v3 = await load({ items: noKey, mode: 'append', baseTable: v2.table, source: file('a3.csv', `统一社会信用代码,企业名称\n${USCC[0]},a twice\n`) });
      expect(v3.totalRows).to.equal(4);
    });
    it('upsert needs a key, and the key must be in the file', async () => {
      const noKey = small.map((i) => ({ ...i, key: false }));
      const e = await loadError({ items: noKey, mode: 'upsert', source: file('k.csv', `统一社会信用代码,企业名称\n${USCC[0]},a\n`) });
      expect(e.code).to.equal('options');
      const e2 = await loadError({ items: noKey, mode: 'upsert', key: ['capital'], source: file('k2.csv', `统一社会信用代码,企业名称\n${USCC[0]},a\n`) });
      expect(e2.code).to.equal('missing-columns');
      expect(e2.missingColumns).to.deep.equal(['capital (注册资本)']);
    });
  });

  describe('JSON and NDJSON', () => {
    it('NDJSON: exact numbers, nested values as JSON text, lines', async () => {
      const nd = [
        JSON.stringify({ uscc: USCC[0], name: '甲', note: { a: [1, 2] }, active: true, staff: 7 }),
        '',
        `{"uscc":"${USCC[1]}","name":"乙","capital":1234567890123456.78,"founded":"2024/1/5","updated_at":null}`,
        `{"uscc":"${USCC[2]}","name":"丙","capital":"oops"}`,
      ].join('\n');
      const r = await load({ source: file('x.ndjson', nd), maxErrors: 1 });
      expect(r.format).to.equal('ndjson');
      expect(r.rows).to.equal(2);
      expect(r.rejects.map((x) => [x.record, x.line, x.column, x.value, x.rule])).to.deep.equal([[3, 4, 'capital', 'oops', 'type']]);
      const got = await pool.query(`SELECT uscc, name, capital::text, founded::text, note, active, staff::text AS staff FROM ${r.table} ORDER BY uscc`);
      expect(got.rows[0]).to.deep.include({ name: '甲', note: '{"a":[1,2]}', active: true, staff: '7' });
      expect(got.rows[1]).to.deep.include({ name: '乙', capital: '1234567890123456.78', founded: '2024-01-05' });
    });
    it('NDJSON: a key a line leaves out, or gives as null, is empty in that row, not the previous line’s value', async () => {
      const nd = [
        `{"uscc":"${USCC[0]}","name":"甲","capital":12.5,"staff":7,"active":true}`,
        `{"name":"乙","uscc":"${USCC[1]}","staff":null}`,
        `{"uscc":"${USCC[2]}","active":false,"name":"丙","capital":3}`,
      ].join('\n');
      const r = await load({ source: file('gaps.ndjson', nd) });
      expect(r.rows).to.equal(3);
      const got = await pool.query(`SELECT name, capital::text, staff, active FROM ${r.table} ORDER BY uscc`);
      expect(got.rows).to.deep.equal([
        { name: '甲', capital: '12.50', staff: 7, active: true },
        { name: '乙', capital: null, staff: null, active: null },
        { name: '丙', capital: '3.00', staff: null, active: false },
      ]);
      expect(r.profile.columns.staff.nulls).to.equal(2);
    });
    it('NDJSON: keys in another order, or written with escapes, are the same keys', async () => {
      const nd = [
        `{"uscc":"${USCC[0]}","name":"甲","staff":1}`,
        `{"staff":2,"name":"乙","uscc":"${USCC[1]}"}`,
        `{"u\\u0073cc":"${USCC[2]}","nam\\u0065":"丙","staff":3}`,
        `{"uscc":"${USCC[3]}","name":"丁","staff":4}`,
      ].join('\n');
      const r = await load({ source: file('order.ndjson', nd) });
      expect(r.rows).to.equal(4);
      const got = await pool.query(`SELECT uscc, name, staff FROM ${r.table} ORDER BY staff`);
      expect(got.rows).to.deep.equal([0, 1, 2, 3].map((i) => ({ uscc: USCC[i], name: '甲乙丙丁'[i], staff: i + 1 })));
    });
    it('NDJSON: a key first seen late that maps to no item fails the load, naming it', async () => {
      const nd = `{"uscc":"${USCC[0]}","name":"a"}\n{"uscc":"${USCC[1]}","name":"b","法人":"x"}\n`;
      const e = await loadError({ source: file('late.ndjson', nd) });
      expect(e.code).to.equal('unknown-columns');
      expect(e.unknownColumns).to.deep.equal(['法人']);
      expect(await exists(e.table)).to.equal(false);
    });
    it('JSON array of objects, streamed in small chunks', async () => {
      const recs = Array.from({ length: 3000 }, (_, i) => ({ uscc: U('91440300MA' + String(i).padStart(7, '0')), name: `公司${i}`, capital: i / 4 }));
      const text = '[\n' + recs.map((x) => '  ' + JSON.stringify(x)).join(',\n') + '\n]\n';
      const buf = Buffer.from(text);
      const chunks: Buffer[] = [];
      for (let i = 0; i < buf.length; i += 777) chunks.push(buf.subarray(i, i + 777));
      const r = await load({ source: Readable.from(chunks), fileName: 'recs.json' });
      expect(r.format).to.equal('json');
      expect(r.rows).to.equal(3000);
      const s = await pool.query(`SELECT sum(capital)::text AS s FROM ${r.table}`);
      expect(Number(s.rows[0].s)).to.equal(recs.reduce((a, x) => a + x.capital, 0));
    });
    it('JSON array of arrays with a header row; record lines; syntax errors with line', async () => {
      const text = `[["统一社会信用代码","企业名称"],\n["${USCC[0]}","甲"],\n["${USCC[1]}"],\n["${USCC[2]}","丙"]]`;
      const r = await load({ source: file('rows.json', text), maxErrors: 1 });
      expect(r.rows).to.equal(2);
      expect(r.rejects.map((x) => [x.record, x.line, x.rule])).to.deep.equal([[2, 3, 'format']]);
      const e = await loadError({ source: file('broken.json', `[{"uscc":"${USCC[0]}","name":"a"},\n{"uscc": ,}]`) });
      expect(e.code).to.equal('parse');
      expect(e.line).to.equal(2);
    });
  });

  describe('NDJSON fast path (byte scanner into the CSV sink)', () => {
    /** Loads the same records as NDJSON (the byte scanner) and as a JSON array (the exact parser) and compares everything a user sees. */
    async function sameAsJsonArray(records: string[], opts: Partial<LoadOptions> = {}) {
      const nd = await load({ source: file('same.ndjson', records.join('\r\n') + '\n'), ...opts });
      const js = await load({ source: file('same.json', '[' + records.join(',\n') + ']'), ...opts });
      const diff = await pool.query(
        `SELECT count(*)::int AS n FROM ((TABLE ${nd.table} EXCEPT ALL TABLE ${js.table}) UNION ALL (TABLE ${js.table} EXCEPT ALL TABLE ${nd.table})) d`,
      );
      expect(diff.rows[0].n, 'rows differ').to.equal(0);
      const rj = (r: LoadResult) => r.rejects.map((x) => [x.record, x.column, x.header, x.value, x.rule, x.message]);
      expect(rj(nd)).to.deep.equal(rj(js));
      expect(nd.profile).to.deep.equal(js.profile);
      expect([nd.rows, nd.rejected]).to.deep.equal([js.rows, js.rejected]);
      return nd;
    }

    it('stores what the exact parser stores: escapes, numbers, booleans, nulls, key order, nested values, duplicate and late keys', async () => {
      const recs: string[] = [];
      for (let i = 0; i < 1200; i++) {
        const u = U('91440300MA' + String(i).padStart(7, '0'));
        const kind = i % 12;
        if (kind === 0) recs.push(`{"uscc":"${u}","name":"\\u6df1\\u5733\\"x\\"\\\\ \\n","capital":${i}.5,"active":true,"note":"a\\tb"}`);
        else if (kind === 1) recs.push(`{ "name" : "乙${i}" , "uscc" : "${u}" , "staff" : "${i}" , "founded" : "2024/1/5" }`);
        else if (kind === 2) recs.push(`{"uscc":"${u}","name":"丙","note":{"a":[1,2]},"lat":-0}`);
        else if (kind === 3) recs.push(`{"uscc":"${u}","name":"丁","name":"戊","ratio":1e3,"active":false}`);
        else if (kind === 4) recs.push(`{"uscc":"${u}","name":"己","capital":null,"status":"注销","score":99.5,"updated_at":"2024-01-05T08:30:00+08:00"}`);
        else if (kind === 5) recs.push(`{"uscc":"${u}","name":"庚","note":"${'长'.repeat(40)}","staff":12.00,"active":"是"}`);
        else if (kind === 6) recs.push(`{"uscc":"${u}","name":"辛","note":""}`);
        else recs.push(`{"uscc":"${u}","name":"公司${i}","capital":"1,234.5","lat":22.5}`);
      }
      // a key first seen after the header sample, mapping to an item no key filled yet
      recs.push(`{"uscc":"${U('91440300MA9000001')}","name":"晚","postcode":"518000"}`);
      recs.push(`{"uscc":"${U('91440300MA9000002')}","name":"晚2","postcode":"518001","district":"440305"}`);
      const r = await sameAsJsonArray(recs);
      expect(r.rows).to.equal(1202);
      const got = await pool.query(`SELECT name, note, active, postcode FROM ${r.table} WHERE uscc = $1 OR uscc = $2 ORDER BY uscc`, [U('91440300MA0000000'), U('91440300MA9000002')]);
      expect(got.rows).to.deep.equal([
        { name: '深圳"x"\\ \n', note: 'a\tb', active: true, postcode: null },
        { name: '晚2', note: null, active: null, postcode: '518001' },
      ]);
    });

    it('rejects as the exact parser does (rule, column, value, message), a NUL spelt as an escape included', async () => {
      const recs = [
        `{"uscc":"${USCC[0]}","name":"甲","capital":-1}`,
        `{"uscc":"${USCC[1]}","name":"","staff":"x"}`,
        `{"uscc":"${USCC[2]}","name":"丙","note":"a\\u0000b"}`,
        `{"uscc":"bad","name":"丁","status":"休眠","phone":"123"}`,
        `{"uscc":"${USCC[4]}","name":"戊","founded":"2024-02-30","active":"maybe"}`,
        `{"uscc":"${USCC[5]}","name":"己","score":100.5}`,
      ];
      const r = await sameAsJsonArray(recs, { maxErrors: 10 });
      expect(r.rows).to.equal(0);
      expect(r.rejects.find((x) => x.column === 'note')?.message).to.match(/NUL/);
    });

    it('reads lines cut across reads, and a line longer than many reads, from a stream', async () => {
      const recs = Array.from({ length: 500 }, (_, i) => JSON.stringify({ uscc: U('91440300MA' + String(i).padStart(7, '0')), name: `公司${i}`, note: i === 250 ? '长'.repeat(5000) : 'x' }));
      const buf = Buffer.from(recs.join('\n'));
      const chunks: Buffer[] = [];
      for (let i = 0; i < buf.length; i += 777) chunks.push(buf.subarray(i, i + 777));
      const r = await load({ source: Readable.from(chunks), fileName: 'cut.ndjson', encoding: 'utf8' });
      expect([r.format, r.rows]).to.deep.equal(['ndjson', 500]);
      const got = await pool.query(`SELECT length(note) AS n FROM ${r.table} WHERE name = '公司250'`);
      expect(got.rows[0].n).to.equal(5000);
    });
    it('joins only the line cut between two reads: cut lines read by the scanner or the exact parser, and blank ones, keep their lines', async () => {
      const recs = Array.from({ length: 400 }, (_, i) =>
        i % 7 === 3 ? '' : i % 5 === 0 ? JSON.stringify({ uscc: U('91440300MA' + String(i).padStart(7, '0')), name: `公司${i}`, note: { nested: [i] } })
        : JSON.stringify({ uscc: U('91440300MA' + String(i).padStart(7, '0')), name: i % 50 === 1 ? '名'.repeat(21) : `公司${i}`, staff: i }),
      );
      const buf = Buffer.from(recs.join('\n') + '\n');
      const chunks: Buffer[] = [];
      for (let i = 0; i < buf.length; i += 97) chunks.push(buf.subarray(i, i + 97));
      const r = await load({ source: Readable.from(chunks), fileName: 'cut2.ndjson', encoding: 'utf8', maxErrors: 20 });
      const js = await load({ source: file('cut2.json', '[' + recs.filter((x) => x).join(',\n') + ']'), maxErrors: 20 });
      expect(r.rejects.map((x) => [x.line, x.rule])).to.deep.equal(recs.flatMap((x, i) => (i % 50 === 1 && x ? [[i + 1, 'length']] : [])));
      expect([r.rows, r.rejected]).to.deep.equal([js.rows, js.rejected]);
      const diff = await pool.query(`SELECT count(*)::int AS n FROM ((TABLE ${r.table} EXCEPT ALL TABLE ${js.table}) UNION ALL (TABLE ${js.table} EXCEPT ALL TABLE ${r.table})) d`);
      expect(diff.rows[0].n).to.equal(0);
    });
    it('keeps lines exact across blank lines and CRLF; a syntax error names its line', async () => {
      const text = `{"uscc":"${USCC[0]}","name":"甲"}\r\n\r\n   \n{"uscc":"${USCC[1]}","name":"${'名'.repeat(30)}"}\n{"uscc":"${USCC[2]}","name":"丙"}`;
      const r = await load({ source: file('lines.ndjson', text), maxErrors: 1 });
      expect(r.rejects.map((x) => [x.record, x.line, x.column, x.rule])).to.deep.equal([[2, 4, 'name', 'length']]);
      expect(r.profile.columns.name.max).to.equal('甲');
      const e = await loadError({ source: file('syntax.ndjson', `{"uscc":"${USCC[0]}","name":"甲"}\n`.repeat(1500) + `{"uscc":"${USCC[1]}","name":"乙",}\n`) });
      expect([e.code, e.line]).to.deep.equal(['parse', 1501]);
      const bad = Buffer.concat([Buffer.from(`{"uscc":"${USCC[0]}","name":"甲"}\n`.repeat(1100)), Buffer.from(`{"uscc":"${USCC[1]}","name":"`), Buffer.from([0xe4, 0xb8]), Buffer.from('"}\n')]);
      const e2 = await loadError({ source: file('badutf8.ndjson', bad), encoding: 'utf8' });
      expect([e2.code, e2.line]).to.deep.equal(['encoding', 1101]);
    });
  });

  describe('Arrow', () => {
    function arrowTable() {
      const n = 4;
      const dec = arrow.makeBuilder({ type: new arrow.Decimal(2, 18, 128), nullValues: [null] });
      for (const v of [123456n, -5n, null, 10n ** 17n]) dec.append(v === null ? null : (bigintWords(v) as never));
      return new arrow.Table({
        uscc: arrow.vectorFromArray([USCC[0], USCC[1], USCC[2], 'bad'], new arrow.Utf8()),
        name: arrow.vectorFromArray(['甲', '乙', '丙', '丁'], new arrow.Dictionary(new arrow.Utf8(), new arrow.Int32())),
        capital: dec.finish().toVector(),
        founded: arrow.vectorFromArray([new Date(Date.UTC(2024, 0, 5)), null, new Date(Date.UTC(1999, 11, 31)), null], new arrow.DateDay()),
        updated_at: arrow.vectorFromArray([new Date(Date.UTC(2024, 0, 5, 0, 30)), null, null, null], new arrow.TimestampMillisecond('UTC')),
        active: arrow.vectorFromArray([true, false, null, true], new arrow.Bool()),
        staff: arrow.vectorFromArray([7n, 9007199254740993n, null, 1n], new arrow.Int64()),
        lat: arrow.vectorFromArray([22.5, null, -1, 0], new arrow.Float64()),
        logo: arrow.vectorFromArray([new Uint8Array([1, 2]), null, null, null], new arrow.Binary()),
      } as never);
      void n;
    }
    function bigintWords(v: bigint): Uint32Array {
      const w = new Uint32Array(4);
      let x = BigInt.asUintN(128, v);
      for (let i = 0; i < 4; i++) {
        w[i] = Number(x & 0xffffffffn);
        x >>= 32n;
      }
      return w;
    }
    const arrowItems: LoaderItem[] = items.map((i) => (i.name === 'staff' || i.name === 'capital' ? { ...i, minimum: undefined, maximum: undefined } : i));
    for (const fmt of ['file', 'stream'] as const) {
      it(`reads the IPC ${fmt} format exactly (decimals, int64, dates, zoned timestamps, binary, dictionaries)`, async () => {
        const p = file(`t.${fmt === 'file' ? 'arrow' : 'arrows'}`, Buffer.from(arrow.tableToIPC(arrowTable(), fmt)));
        const r = await load({ items: arrowItems, source: p, maxErrors: 1 });
        expect(r.format).to.equal('arrow');
        expect(r.rows).to.equal(3);
        expect(r.rejects.map((x) => [x.record, x.line, x.column, x.rule])).to.deep.equal([[4, null, 'uscc', 'uscc']]);
        const got = await pool.query(
          `SELECT uscc, name, capital::text, founded::text, to_char(updated_at AT TIME ZONE 'UTC', 'HH24:MI') AS upd, active, staff::text, lat, encode(logo, 'hex') AS logo FROM ${r.table} ORDER BY uscc`,
        );
        expect(got.rows).to.deep.equal([
          { uscc: USCC[0], name: '甲', capital: '1234.56', founded: '2024-01-05', upd: '00:30', active: true, staff: '7', lat: 22.5, logo: '0102' },
          { uscc: USCC[1], name: '乙', capital: '-0.05', founded: null, upd: null, active: false, staff: '9007199254740993', lat: null, logo: null },
          { uscc: USCC[2], name: '丙', capital: null, founded: '1999-12-31', upd: null, active: null, staff: null, lat: -1, logo: null },
        ]);
      });
    }
  });

  describe('Arrow IPC file by random access', () => {
    it('a file given by its path reads batch by batch what the same bytes read from a stream give, with progress to its size', async () => {
      const ids: number[] = [];
      const names: string[] = [];
      for (let i = 0; i < 5000; i++) {
        ids.push(i);
        names.push(i % 97 === 5 ? 'x'.repeat(30) : `公司${i}`);
      }
      const it2: LoaderItem[] = [
        { name: 'id', type: 'I', required: true, key: true },
        { name: 'name', type: 'C', length: 20, required: true },
      ];
      const t = new arrow.Table({ id: arrow.vectorFromArray(ids, new arrow.Int32()), name: arrow.vectorFromArray(names, new arrow.Utf8()) });
      // five record batches of 1,000 rows
      const batched = new arrow.Table([0, 1, 2, 3, 4].flatMap((k) => t.slice(k * 1000, (k + 1) * 1000).batches));
      const bytes = Buffer.from(arrow.tableToIPC(batched, 'file'));
      const p = file('batches.arrow', bytes);
      const seen: number[] = [];
      const byPath = await load({ items: it2, source: p, maxErrors: 100, onProgress: (x) => seen.push(x.bytes) });
      const byStream = await load({ items: it2, source: Readable.from([bytes]), fileName: 'batches.arrow', maxErrors: 100 });
      expect([byPath.rows, byPath.rejected]).to.deep.equal([5000 - 52, 52]);
      expect([byStream.rows, byStream.rejected]).to.deep.equal([byPath.rows, byPath.rejected]);
      const rj = (r: LoadResult) => r.rejects.map((x) => [x.record, x.column, x.value, x.rule]);
      expect(rj(byPath)).to.deep.equal(rj(byStream));
      expect(byPath.profile).to.deep.equal(byStream.profile);
      const diff = await pool.query(`SELECT count(*)::int AS n FROM ((TABLE ${byPath.table} EXCEPT ALL TABLE ${byStream.table}) UNION ALL (TABLE ${byStream.table} EXCEPT ALL TABLE ${byPath.table})) d`);
      expect(diff.rows[0].n).to.equal(0);
      expect(seen[seen.length - 1]).to.equal(bytes.length);
      expect(new Set(seen).size).to.be.greaterThan(3); // it moved batch by batch
    });
  });

  describe('Arrow to COPY BINARY', () => {
    it('gives the same rows, rejects and profile as the text path (dictionaries, zoned and naive timestamps, decimals, nulls, long strings)', async () => {
      const aItems: LoaderItem[] = [
        { name: 'id', type: 'I', required: true, key: true },
        { name: 'uscc', type: 'C', length: 18, check: 'uscc' },
        { name: 'name', type: 'C', length: 60, required: true },
        { name: 'district', type: 'C', length: 6, check: 'region-code' },
        { name: 'status', type: 'C', enum: ['存续', '在业', '注销'] },
        { name: 'capital', type: 'Y', length: 18, scale: 2, minimum: 0 },
        { name: 'big', type: 'N', scale: 3 },
        { name: 'price', type: 'Y', length: 6, scale: 1, maximum: 99999 },
        { name: 'at', type: 'T' },
        { name: 'at_us', type: 'T' },
        { name: 'naive', type: 'T' },
        { name: 'score', type: 'B' },
        { name: 'small', type: 'I', minimum: 0 },
        { name: 'day', type: 'D' },
        { name: 'when_text', type: 'D' },
        { name: 'note', type: 'M' },
      ];
      const n = 3000;
      const r0 = rng(11);
      const dict = () => new arrow.Dictionary(new arrow.Utf8(), new arrow.Int32());
      const types: Record<string, arrow.DataType> = {
        id: new arrow.Int32(), uscc: new arrow.Utf8(), name: new arrow.Utf8(), district: dict(), status: dict(),
        capital: new arrow.Decimal(2, 18, 128), big: new arrow.Decimal(3, 38, 128), price: new arrow.Decimal(3, 12, 128), at: new arrow.TimestampMillisecond('Asia/Shanghai'),
        at_us: new arrow.TimestampMicrosecond('UTC'), naive: new arrow.TimestampMillisecond(), score: new arrow.Float64(), small: new arrow.Int16(),
        day: new arrow.DateDay(), when_text: new arrow.Utf8(), note: new arrow.Utf8(),
      };
      const b = Object.fromEntries(Object.entries(types).map(([k, type]) => [k, arrow.makeBuilder({ type, nullValues: [null] } as never)])) as Record<string, arrow.Builder>;
      const words = (v: bigint) => {
        const w = new Uint32Array(4);
        let x = BigInt.asUintN(128, v);
        for (let i = 0; i < 4; i++, x >>= 32n) w[i] = Number(x & 0xffffffffn);
        return w;
      };
      const pick = <T,>(a: T[]) => a[Math.floor(r0() * a.length)];
      for (let i = 1; i <= n; i++) {
        const odd = r0() < 0.03; // now and then a value that breaks a rule
        b.id.append(i);
        b.uscc.append(r0() < 0.1 ? null : odd ? 'X' + U('91440300MA' + String(i).padStart(7, '0')).slice(1) : U('91440300MA' + String(i).padStart(7, '0')));
        b.name.append(odd && r0() < 0.3 ? '' : pick(['甲', '深圳市' + '华'.repeat(30) + '有限公司', 'a\0b', 'x'.repeat(70), '  空格  ']));
        b.district.append(r0() < 0.1 ? null : pick(['440303', '440304', '999999', '']));
        b.status.append(r0() < 0.1 ? null : pick(['存续', '在业', '注销', '休眠']));
        b.capital.append(r0() < 0.1 ? null : (words(pick([0n, 5n, -5n, 123456789n, 2n ** 60n, -(2n ** 60n), 10n ** 17n])) as never));
        b.big.append(r0() < 0.1 ? null : (words(pick([1n, -1n, 10n ** 30n, -(10n ** 30n) - 7n, 9007199254740993n])) as never));
        // more decimals than the item's scale (zeros or not), too many digits, above the maximum, negative
        b.price.append(r0() < 0.1 ? null : (words(odd ? pick([12345n, 999999900n, 99999100n]) : pick([12300n, 99999900n, -100n, 0n, -7000n])) as never));
        b.at.append(r0() < 0.1 ? null : pick([Date.UTC(2024, 0, 1, 0, 0, 0, 123), Date.UTC(1800, 5, 1), Date.UTC(2500, 0, 1), 0, -1]));
        b.at_us.append(r0() < 0.1 ? null : pick([1704067200123456, -5, 0]) as never);
        b.naive.append(r0() < 0.1 ? null : pick([Date.UTC(2024, 6, 1, 12), Date.UTC(1988, 5, 1, 12)]));
        b.score.append(r0() < 0.1 ? null : pick([0, -0, 1.5, 1e-310, 1e300, -2.25, Number.NaN]));
        b.small.append(r0() < 0.1 ? null : pick([0, 7, -3, 32767]));
        b.day.append(r0() < 0.1 ? null : pick([Date.UTC(2024, 0, 5), Date.UTC(1999, 11, 31)]));
        b.when_text.append(r0() < 0.1 ? null : pick(['2024-01-05', '2024/1/5', '2024-02-30', ' ']));
        b.note.append(r0() < 0.1 ? null : pick(['', 'x', '长'.repeat(100), 'tab\there, "quote", back\\slash\nnewline']));
      }
      const table = new arrow.Table(Object.fromEntries(Object.entries(b).map(([k, bl]) => [k, bl.finish().toVector()])));
      for (const fmt of ['file', 'stream'] as const) {
        const p = file(`bin.${fmt === 'file' ? 'arrow' : 'arrows'}`, Buffer.from(arrow.tableToIPC(table, fmt)));
        const bin = await load({ items: aItems, source: p, maxErrors: n });
        const txt = await load({ items: aItems, source: p, maxErrors: n, copyFormat: 'csv' });
        expect(bin.rows).to.be.greaterThan(100);
        expect([bin.rows, bin.rejected]).to.deep.equal([txt.rows, txt.rejected]);
        const rj = (r: LoadResult) => r.rejects.map((x) => [x.record, x.column, x.value, x.rule, x.message]);
        expect(rj(bin)).to.deep.equal(rj(txt));
        const diff = await pool.query(
          `SELECT count(*)::int AS n FROM ((TABLE ${bin.table} EXCEPT ALL TABLE ${txt.table}) UNION ALL (TABLE ${txt.table} EXCEPT ALL TABLE ${bin.table})) d`,
        );
        expect(diff.rows[0].n, fmt).to.equal(0);
        // -0 stays 0, as the text path writes it
        const neg = await pool.query(`SELECT count(*)::int AS n FROM ${bin.table} WHERE score = 0 AND 1/score < 0`).catch(() => ({ rows: [{ n: 0 }] }));
        expect(neg.rows[0].n).to.equal(0);
        expect(bin.profile).to.deep.equal(txt.profile);
        const c = await pool.connect();
        try {
          expect(bin.profile).to.deep.equal(await profileTable(c, bin.table, aItems, Object.fromEntries(Object.entries(bin.profile.columns).map(([k, v]) => [k, v.invalid]))));
        } finally {
          c.release();
        }
      }
    });
  });

  describe('xlsx', () => {
    async function workbook(p: string) {
      const wb = new ExcelJS.Workbook();
      wb.addWorksheet('说明').addRow(['本表为测试数据']);
      const ws = wb.addWorksheet('企业名录');
      ws.addRow(['深圳市企业名录（2024年）']);
      ws.addRow([]);
      ws.addRow(['统一社会信用代码', '企业名称', '注册资本', '成立日期', '更新时间', '是否有效', '备注']);
      ws.addRow([USCC[0], { richText: [{ text: '深圳' }, { text: '甲公司' }] }, 1234.5, new Date(Date.UTC(2024, 0, 5)), new Date(Date.UTC(2024, 0, 5, 8, 30)), '是', 'x']);
      ws.addRow([USCC[1], '乙公司', { formula: '1+1', result: 2 }, 45296, '2024/1/5 8:30', true, null]);
      ws.addRow([USCC[2], '丙公司', 'n/a', null, null, null, null]);
      ws.getColumn(4).numFmt = 'yyyy-mm-dd';
      ws.getColumn(5).numFmt = 'yyyy-mm-dd hh:mm';
      await wb.xlsx.writeFile(p);
    }
    it('streams a sheet, skipping title rows above the header; lines are sheet rows', async () => {
      const p = join(dir, 'book.xlsx');
      await workbook(p);
      const r = await load({ source: p, sheet: '企业名录', maxErrors: 1 });
      expect(r.format).to.equal('xlsx');
      expect(r.rows).to.equal(2);
      expect(r.rejects.map((x) => [x.record, x.line, x.column, x.value, x.rule])).to.deep.equal([[3, 6, 'capital', 'n/a', 'type']]);
      const got = await pool.query(
        `SELECT uscc, name, capital::text, founded::text, to_char(updated_at AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM-DD HH24:MI') AS upd, active FROM ${r.table} ORDER BY uscc`,
      );
      expect(got.rows).to.deep.equal([
        { uscc: USCC[0], name: '深圳甲公司', capital: '1234.50', founded: '2024-01-05', upd: '2024-01-05 08:30', active: true },
        { uscc: USCC[1], name: '乙公司', capital: '2.00', founded: '2024-01-05', upd: '2024-01-05 08:30', active: true },
      ]);
      const e = await loadError({ source: p, sheet: '不存在' });
      expect(e.message).to.contain('说明, 企业名录');
    });
    it('streams a generated 20,000-row workbook written as Excel writes it (shared strings after the sheet), from a file or a stream', async () => {
      const p = join(dir, 'register.xlsx');
      const wb = new ExcelJS.stream.xlsx.WorkbookWriter({ filename: p, useSharedStrings: true, useStyles: true });
      const ws = wb.addWorksheet('登记');
      ws.addRow(['市场主体登记表']).commit();
      ws.addRow([]).commit();
      ws.addRow(registerHeader).commit();
      let i = 0;
      const expected: string[] = [];
      for (const r of registerRows(20_000, 7)) {
        const status = i === 12_345 ? '歇业中' : r.status; // not one of the enum's values: rejected at sheet row 3 + 1 + 12,345
        ws.addRow([r.uscc, r.name, r.capital === '' ? null : Number(r.capital), new Date(r.founded + 'T00:00:00Z'), r.district, status, r.phone || null, Number(r.lat), Number(r.lon)]).commit();
        if (i !== 12_345) expected.push(`${r.uscc}|${r.name}|${r.founded}|${r.status}`);
        i++;
      }
      ws.getColumn(4).numFmt = 'yyyy-mm-dd';
      ws.commit();
      await wb.commit();
      const regItems = registerItems as unknown as LoaderItem[];
      for (const source of [p, Readable.from(readFileSync(p), { objectMode: false })]) {
        const r = await load({ items: regItems, source, format: 'xlsx', maxErrors: 1 });
        expect(r.rows).to.equal(19_999);
        expect(r.rejects.map((x) => [x.record, x.line, x.column, x.value, x.rule])).to.deep.equal([[12_346, 12_349, 'status', '歇业中', 'enum']]);
        const got = await pool.query(`SELECT uscc || '|' || name || '|' || founded::text || '|' || status AS k FROM ${r.table} ORDER BY uscc`);
        expect(got.rows.map((x: { k: string }) => x.k)).to.deep.equal([...expected].sort());
      }
    });
    it('reads a workbook written by another tool: prefixed elements, inline and rich strings, entities, cells and rows without references', async () => {
      const x = (body: string) => `<?xml version="1.0" encoding="UTF-8"?>\r\n${body}`;
      const NS = 'xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"';
      const inline = (t: string, ref = '') => `<x:c${ref ? ` r="${ref}"` : ''} t="inlineStr"><x:is><x:t>${t}</x:t></x:is></x:c>`;
      const p = join(dir, 'other-tool.xlsx');
      writeFileSync(
        p,
        storedZip({
          'xl/workbook.xml': x(`<x:workbook ${NS}><x:workbookPr/><x:sheets><x:sheet name="数据" sheetId="1" r:id="rId1"/></x:sheets></x:workbook>`),
          'xl/_rels/workbook.xml.rels': x(
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">' +
              '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>' +
              '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/>' +
              '<Relationship Id="rId3" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>',
          ),
          'xl/styles.xml': x(
            `<x:styleSheet ${NS}><x:numFmts count="1"><x:numFmt numFmtId="164" formatCode="yyyy&quot;年&quot;m&quot;月&quot;d&quot;日&quot;"/></x:numFmts>` +
              '<x:cellXfs count="2"><x:xf numFmtId="0"/><x:xf numFmtId="164" applyNumberFormat="1"/></x:cellXfs></x:styleSheet>',
          ),
          'xl/sharedStrings.xml': x(
            `<x:sst ${NS} count="4" uniqueCount="4"><x:si><x:t>统一社会信用代码</x:t></x:si><x:si><x:r><x:rPr><x:b/></x:rPr><x:t>企业</x:t></x:r><x:r><x:t>名称</x:t></x:r><x:rPh sb="0" eb="2"><x:t>キギョウ</x:t></x:rPh></x:si>` +
              `<x:si><x:t>${USCC[1]}</x:t></x:si><x:si><x:t xml:space="preserve">乙公司</x:t></x:si></x:sst>`,
          ),
          'xl/worksheets/sheet1.xml': x(
            `<x:worksheet ${NS}><x:dimension ref="A1:E7"/><x:sheetData>` +
              `<x:row r="1">${inline('企业名录', 'A1')}</x:row>` +
              `<x:row r="3" spans="1:5"><x:c r="A3" t="s"><x:v>0</x:v></x:c><x:c r="B3" t="s"><x:v>1</x:v></x:c>${inline('注册资本', 'C3')}<x:c r="D3" t="str"><x:f>"成立"&amp;"日期"</x:f><x:v>成立日期</x:v></x:c>${inline('是否有效', 'E3')}</x:row>` +
              `<x:row>${inline(USCC[0])}${inline('甲&amp;乙&#x516C;司')}<x:c><x:f>1+1</x:f><x:v>2</x:v></x:c><x:c s="1"><x:v>45296</x:v></x:c><x:c t="b"><x:v>1</x:v></x:c></x:row>` +
              '<x:row r="6"><x:c r="A6" t="s"><x:v>2</x:v></x:c><x:c r="B6" t="s"><x:v>3</x:v></x:c><x:c r="C6" t="str"><x:v>n/a</x:v></x:c><x:c r="D6" s="1"><x:v>45297</x:v></x:c></x:row>' +
              `<x:row r="7">${inline(USCC[2], 'A7')}${inline('丙公司', 'B7')}<x:c r="C7" s="0"/><x:c r="D7" s="1"><x:v>45297</x:v></x:c><x:c r="E7" t="b"><x:v>0</x:v></x:c></x:row>` +
              '</x:sheetData></x:worksheet>',
          ),
        }),
      );
      const r = await load({ source: p, maxErrors: 1 });
      expect(r.rows).to.equal(2);
      expect(r.rejects.map((j) => [j.record, j.line, j.column, j.value, j.rule])).to.deep.equal([[2, 6, 'capital', 'n/a', 'type']]);
      const got = await pool.query(`SELECT uscc, name, capital::text, founded::text, active FROM ${r.table} ORDER BY uscc`);
      expect(got.rows).to.deep.equal([
        { uscc: USCC[0], name: '甲&乙公司', capital: '2.00', founded: '2024-01-05', active: true },
        { uscc: USCC[2], name: '丙公司', capital: null, founded: '2024-01-06', active: false },
      ]);
    });
  });

  describe('profile, progress, abort, SQL identifier checks', () => {
    it('profiles each column: nulls, invalid, min, max, distinct estimate', async () => {
      const csv = `统一社会信用代码,企业名称,注册资本,成立日期,是否有效\n${USCC[0]},甲,10,2024-01-05,是\n${USCC[1]},乙,,2020-01-01,否\n${USCC[2]},甲,2.5,,是\n${USCC[3]},丁,x,,\n`;
      const r = await load({ source: file('p.csv', csv), maxErrors: 1 });
      expect(r.profile.rows).to.equal(3);
      expect(r.profile.columns.capital).to.deep.equal({ nulls: 1, invalid: 1, min: '2.50', max: '10.00', distinctEstimate: 2 });
      expect(r.profile.columns.name).to.include({ nulls: 0, min: '乙', max: '甲', distinctEstimate: 2 });
      expect(r.profile.columns.founded).to.include({ nulls: 1, min: '2020-01-01', max: '2024-01-05' });
      expect(r.profile.columns.active).to.include({ min: 'false', max: 'true' });
      expect(r.profile.columns.note).to.deep.equal({ nulls: 3, invalid: 0, min: null, max: null, distinctEstimate: 0 });
    });
    it('works in a REPEATABLE READ transaction too (no COPY FREEZE there)', async () => {
      const c = await pool.connect();
      try {
        await c.query('BEGIN ISOLATION LEVEL REPEATABLE READ');
        await c.query('SELECT 1');
        const t = table();
        const r = await loadFile(c, { items, source: file('rr.csv', `统一社会信用代码,企业名称\n${USCC[0]},甲\n`), targetTable: t, mode: 'replace', maxErrors: 0 });
        expect(r.rows).to.equal(1);
        await c.query('COMMIT');
      } finally {
        c.release();
      }
    });
    it('the profile gathered while streaming equals the server profile; COPY BINARY stores what COPY CSV stores', async () => {
      const pItems: LoaderItem[] = [
        { name: 'uscc', type: 'C', required: true },
        { name: 'name', type: 'C' },
        { name: 'money', type: 'Y', length: 18, scale: 2 },
        { name: 'num', type: 'N' },
        { name: 'num4', type: 'N', scale: 4 },
        { name: 'cnt', type: 'I' },
        { name: 'x', type: 'B' },
        { name: 'f', type: 'F' },
        { name: 'd', type: 'D' },
        { name: 'ok', type: 'L' },
        { name: 'ts', type: 'T' },
        { name: 'absent', type: 'C' },
      ];
      const r0 = rng(5);
      const lines = ['uscc,name,money,num,num4,cnt,x,f,d,ok,ts'];
      const texts = ['甲', 'Z', 'a""b', '𠀀', 'é', '', ' lead', 'zz', '深圳', '"q,1"'];
      const money = ['0', '-0', '007', '1.50', '-1.5', '1234567890123456.78', '1,234.5', '¥3', '-0.00', '99.99', ''];
      const nums = ['0', '-0', '007', '1.50', '-1.5', '12345678901234567890.123', '1,234.5', '¥3', '-0.001', '99.990', '', '1e3'];
      const floats = ['0', '1e-7', '-1e16', '22.450001', '1e15', '123456789012345.6', '0.0001', '-2.5', '', '+3', '5e-324'];
      const dates = ['2024-01-05', '2024/1/5', '1999年12月31日', '45000', '', '0001-01-01', '9999-12-31'];
      const bools = ['是', '否', 'true', '', 'N'];
      for (let i = 0; i < 400; i++) {
        const p = <T,>(a: T[]) => a[Math.floor(r0() * a.length)];
        const t = p(texts);
        lines.push(
          [`u${i}`, t.startsWith('"') ? t : /[",]/.test(t) ? `"${t}"` : t, p(money).replace(/^(.*,.*)$/, '"$1"'), p(nums).replace(/^(.*,.*)$/, '"$1"'), p(['1.2', '0.0001', '-3', '']),
            p(['1', '-7', '12.00', '']), p(floats), p(floats), p(dates), p(bools), p(['2024-01-05 08:00', ''])].join(','),
        );
      }
      const p = file('prof.csv', lines.join('\n') + '\n');
      const r = await load({ items: pItems, source: p });
      expect(r.rows).to.equal(400);
      const c = await pool.connect();
      try {
        const sql = await profileTable(c, r.table, pItems, {});
        expect(r.profile).to.deep.equal(sql);
      } finally {
        c.release();
      }
      // COPY text (default), CSV and BINARY store exactly the same
      for (const copyFormat of ['csv', 'binary'] as const) {
        const other = await load({ items: pItems, source: p, copyFormat });
        const diff = await pool.query(
          `SELECT count(*)::int AS n FROM ((TABLE ${r.table} EXCEPT ALL TABLE ${other.table}) UNION ALL (TABLE ${other.table} EXCEPT ALL TABLE ${r.table})) d`,
        );
        expect(diff.rows[0].n, copyFormat).to.equal(0);
        const show = `SELECT string_agg(coalesce(name, '∅') || '|' || coalesce(money::text, '∅') || '|' || coalesce(num::text, '∅'), ',' ORDER BY uscc) AS a FROM `;
        const a = await pool.query(show + r.table);
        const b = await pool.query(show + other.table);
        expect(b.rows[0].a, copyFormat).to.equal(a.rows[0].a);
      }
    });
    it('reports progress and stops on abort, changing nothing', async () => {
      let csv = '统一社会信用代码,企业名称\n';
      for (let i = 0; i < 60000; i++) csv += `${U('91440300MA' + String(i).padStart(7, '0'))},公司${i}\n`;
      const p = file('progress.csv', csv);
      const seen: number[] = [];
      const r = await load({ source: p, onProgress: (x) => seen.push(x.bytes) });
      expect(seen.length).to.be.greaterThan(0);
      expect(seen[seen.length - 1]).to.equal(Buffer.byteLength(csv));
      expect(r.rows).to.equal(60000);
      const ac = new AbortController();
      const e = await loadError({ source: p, signal: ac.signal, onProgress: () => ac.abort() });
      expect(e.code).to.equal('aborted');
      expect(await exists(e.table)).to.equal(false);
    });
    it('odx.is_uscc / is_id_card / is_region_code / is_mobile agree with the JS checks', async () => {
      const inputs: string[] = ['', 'X', '440305', '44030', '990101', '440305001001', '13800138000', '12800138000', '1380013800'];
      for (let i = 0; i < 300; i++) {
        const u = U('9144030' + String(i).padStart(3, '0') + 'MA5F00' + (i % 10));
        inputs.push(u, u.slice(0, 17) + (u[17] === '0' ? '1' : '0'), u.toLowerCase());
        const id = withIdCardCheck('4403011990' + String(1 + (i % 12)).padStart(2, '0') + String(1 + (i % 31)).padStart(2, '0') + String(i).padStart(3, '0'));
        inputs.push(id, id.slice(0, 17) + (id[17] === 'X' ? '0' : 'X'));
        inputs.push(withIdCardCheck('44030118990101' + String(i).padStart(3, '0')), withIdCardCheck('9903011990010' + String(i).padStart(4, '0')));
        inputs.push(String(i * 7919).padStart(6, '0'), '1' + String(3 + (i % 7)) + String(i * 104729).padStart(9, '0'));
      }
      const r = await pool.query(
        `SELECT v, odx.is_uscc(v) AS u, odx.is_id_card(v) AS i, odx.is_region_code(v) AS r, odx.is_mobile(v) AS m FROM unnest($1::text[]) AS v`,
        [inputs],
      );
      let valid = 0;
      for (const row of r.rows) {
        expect([row.v, row.u, row.i, row.r, row.m]).to.deep.equal([row.v, isUscc(row.v), isIdCard(row.v), isRegionCode(row.v), isMobile(row.v)]);
        if (row.u || row.i) valid++;
      }
      expect(valid).to.be.greaterThan(300);
      expect((await pool.query(`SELECT odx.is_uscc(NULL) AS x`)).rows[0].x).to.equal(null);
    });
    it('keeps the rejects file readable as CSV', async () => {
      const r = await load({ source: file('rj.csv', `统一社会信用代码,企业名称\nbad,"a,b"\n${USCC[0]},ok\n`), maxErrors: 1 });
      const csv = rejectsToCsv(r.rejects, { bom: false });
      expect(csv).to.equal(
        `record,line,column,header,value,rule,message,message_zh\r\n1,2,uscc,统一社会信用代码,bad,uscc,"${r.rejects[0].message.replace(/"/g, '""')}","${rejectMessageZh(r.rejects[0]).replace(/"/g, '""')}"\r\n`,
      );
      void readFileSync;
    });
  });
});
