import { Readable } from 'node:stream';
import { expect } from 'chai';
import { countCsvRows, ndjsonToArray, unescapeCopyText } from '../../server/src/data/download.ts';

/** Feeds `bytes` cut into chunks of `size` through a transform and collects the output. */
async function run(t: NodeJS.ReadWriteStream, bytes: Buffer, size: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for (let i = 0; i < bytes.length; i += size) chunks.push(bytes.subarray(i, i + size));
  const out: Buffer[] = [];
  for await (const c of Readable.from(chunks).pipe(t)) out.push(Buffer.from(c as Buffer));
  return Buffer.concat(out);
}

describe('download transforms: COPY text to JSON, at every chunk boundary', () => {
  const rows = [
    { name: '滨海市"鑫源"贸易有限公司', path: 'C:\\数据\\导出', note: '第一行\n第二行' },
    { name: '欧阳修远', path: '\\\\server\\share', note: 'tab\there' },
    { name: 'ASCII only', path: '', note: '' },
  ];
  const ndjson = rows.map((r) => JSON.stringify(r)).join('\n') + '\n';
  // what COPY ... TO STDOUT (text format) sends for those JSON lines: every backslash doubled
  const copied = Buffer.from(ndjson.replace(/\\/g, '\\\\'), 'utf8');

  it('undoes COPY’s backslash doubling, whatever the chunk size, without breaking UTF-8', async () => {
    for (const size of [1, 2, 3, 5, 7, 64, copied.length]) {
      const out = await run(unescapeCopyText(), copied, size);
      expect(out.toString('utf8'), `chunks of ${size}`).to.equal(ndjson);
    }
  });

  it('turns NDJSON into one JSON array, whatever the chunk size', async () => {
    for (const size of [1, 2, 3, 11, Buffer.byteLength(ndjson)]) {
      const out = await run(ndjsonToArray(), Buffer.from(ndjson), size);
      expect(JSON.parse(out.toString('utf8')), `chunks of ${size}`).to.deep.equal(rows);
    }
    expect(JSON.parse((await run(ndjsonToArray(), Buffer.alloc(0), 1)).toString())).to.deep.equal([]);
  });
});

describe('download transforms: counting CSV rows as COPY writes them, at every chunk boundary', () => {
  // what COPY ... (FORMAT csv, HEADER) writes: fields with quotes, commas or newlines are quoted, quotes doubled
  const csv = Buffer.from(
    'code,title,note\n' +
      'a1,plain,\n' +
      'a2,"say ""hi""","line1\nline2\r\nline3"\n' +
      'a3,"滨海市""鑫源""贸易","a,b"\n' +
      'a4,"""",""\n' +
      'a5,"\n",x\n',
    'utf8',
  );

  it('counts a newline inside a quoted field as part of its row', async () => {
    for (const size of [1, 2, 3, 5, 7, 64, csv.length]) {
      const counter = { rows: 0 };
      const out = await run(countCsvRows(counter), csv, size);
      expect(out.equals(csv), `chunks of ${size}: bytes pass unchanged`).to.equal(true);
      expect(counter.rows, `chunks of ${size}`).to.equal(6); // the header and five rows
    }
  });
});
