import { expect } from 'chai';
import { inflateSync } from 'node:zlib';
import request from 'supertest';
import { binary } from '../helpers/binary.ts';
import { ensureWebBuild } from '../helpers/browser.ts';
import { makeDepartment, testApp, type TestApp } from '../helpers/app.ts';
import { buildHistory } from '../helpers/governance.ts';
import { setClock } from '../../server/src/sharing/clock.ts';

/** The PDF's pages: Chromium writes one `/Type /Page` object per page (and one `/Type /Pages`). */
const pages = (pdf: Buffer) => (pdf.toString('latin1').match(/\/Type\s*\/Page(?!s)/g) ?? []).length;

/** The PDF's title, which Chromium takes from the page's document.title: UTF-16BE in hex, or a literal string when ASCII. */
function title(pdf: Buffer): string | null {
  const s = pdf.toString('latin1');
  const hex = /\/Title\s*<FEFF([0-9A-Fa-f]+)>/.exec(s);
  if (hex) return Buffer.from(hex[1], 'hex').swap16().toString('utf16le');
  return /\/Title\s*\(([^)]*)\)/.exec(s)?.[1] ?? null;
}

/** Every text-drawing operator's font and glyph run in the page streams: no glyph runs means a blank page. */
function glyphRuns(pdf: Buffer): number {
  const s = pdf.toString('latin1');
  let runs = 0;
  for (const m of s.matchAll(/\/Filter\s*\/FlateDecode[^>]*>>\s*stream\r?\n/g)) {
    const start = m.index! + m[0].length;
    const end = s.indexOf('endstream', start);
    try {
      const body = inflateSync(pdf.subarray(start, end)).toString('latin1');
      runs += (body.match(/\bTJ\b|\bTj\b/g) ?? []).length;
    } catch {
      // a font or an image, not a content stream
    }
  }
  return runs;
}

describe('the evaluation report as PDF, printed by Chromium (#17)', function () {
  this.timeout(180_000);
  let t: TestApp;

  before(async () => {
    setClock(() => new Date('2026-12-07T02:00:00Z'));
    t = await testApp({ env: { ODX_WEB_DIR: ensureWebBuild() } });
    const c = await makeDepartment(t.knex, '测试丙局');
    await buildHistory(t.knex, t.deptA, t.deptB, c);
  });
  after(async () => {
    setClock(null);
    await t.close();
  });

  it('prints the month’s report for the authority: a PDF with its pages, its title and its text drawn', async () => {
    const res = await request(t.app).get('/api/v1/evaluations/report.pdf?month=2026-10').set(t.auth('authority')).buffer(true).parse(binary).expect(200);
    expect(res.headers['content-type']).to.equal('application/pdf');
    expect(res.headers['content-disposition']).to.contain('.pdf');
    const pdf = res.body as Buffer;
    expect(pdf.subarray(0, 5).toString()).to.equal('%PDF-');
    expect(pdf.length, 'bytes').to.be.above(20_000);
    expect(pages(pdf)).to.be.within(1, 4);
    expect(title(pdf)).to.equal('2026-10 月度考核评价');
    expect(glyphRuns(pdf), 'text drawn on the pages').to.be.above(20);
  });

  it('prints in English when asked in English', async () => {
    const res = await request(t.app).get('/api/v1/evaluations/report.pdf?month=2026-10').set(t.auth('admin')).set('Accept-Language', 'en').buffer(true).parse(binary).expect(200);
    expect(title(res.body as Buffer)).to.equal('Monthly evaluation, 2026-10');
  });

  it('refuses an officer, a registrar and a developer, and a caller without credentials', async () => {
    for (const role of ['officer', 'registrar', 'developer'] as const) {
      const res = await request(t.app).get('/api/v1/evaluations/report.pdf?month=2026-10').set(t.auth(role)).expect(403);
      expect(res.body.error.code).to.equal('forbidden');
    }
    await request(t.app).get('/api/v1/evaluations/report.pdf?month=2026-10').expect(401);
  });

  it('refuses a month that is not one with 400 naming it', async () => {
    const res = await request(t.app).get('/api/v1/evaluations/report.pdf?month=2026-13').set(t.auth('authority')).expect(400);
    expect(JSON.stringify(res.body.error)).to.contain('month');
  });

  it('answers 503 in both languages when the server has no Chromium', async () => {
    const other = await testApp({ env: { ODX_WEB_DIR: ensureWebBuild(), ODX_CHROMIUM: '/nonexistent/chromium' } });
    try {
      const res = await request(other.app).get('/api/v1/evaluations/report.pdf?month=2026-10').set(other.auth('authority')).expect(503);
      expect(res.body.error.code).to.equal('unavailable');
      expect(res.body.error.message).to.contain('Chromium');
      const en = await request(other.app).get('/api/v1/evaluations/report.pdf?month=2026-10').set(other.auth('authority')).set('Accept-Language', 'en').expect(503);
      expect(en.body.error.message).to.contain('Chromium is not installed');
    } finally {
      await other.close();
    }
  });
});
