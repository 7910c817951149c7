import { expect } from 'chai';
import { parse } from 'csv-parse/sync';
import { csvField } from '../../server/src/lib/csv.ts';

describe('CSV fields (ledger export, demo extracts)', () => {
  it('leaves plain text as it is and quotes what a reader would otherwise split or trim', () => {
    expect(csvField('深圳市市场监督管理局')).to.equal('深圳市市场监督管理局');
    expect(csvField('a,b')).to.equal('"a,b"');
    expect(csvField('say "hi"')).to.equal('"say ""hi"""');
    expect(csvField('two\nlines')).to.equal('"two\nlines"');
    expect(csvField(' padded ')).to.equal('" padded "');
  });

  it('reads back through a real CSV parser as the same values', () => {
    const values = ['plain', 'a,b', 'say "hi"', 'two\r\nlines', ' padded ', '', '营业执照'];
    const line = values.map(csvField).join(',') + '\r\n';
    expect(parse(line, { trim: false, relax_quotes: false })).to.deep.equal([values]);
  });
});
