import { Readable } from 'node:stream';
import { expect } from 'chai';
import { countCsvRows } from '../../server/src/data/download.ts';

/** Feeds `bytes` cut into chunks of `size` through a transform and collects the output. */
async function run(t: NodeJS.ReadWriteStream, bytes: Buffer, size: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for (let i = 0; i < bytes.length; i += size) chunks.push(bytes.subarray(i, i + size));
  const out: Buffer[] = [];
  for await (const c of Readable.from(chunks).pipe(t)) out.push(Buffer.from(c as Buffer));
  return Buffer.concat(out);
}

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
