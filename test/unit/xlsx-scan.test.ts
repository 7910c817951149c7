import { expect } from 'chai';
import { SharedStrings } from '../../loaders/xlsx-parts.ts';
import { SharedStringScanner, SheetScanner, xmlText, type SheetRow } from '../../loaders/xlsx-scan.ts';

/** Each cell as the reader's value function is given it: type, style, `<v>` text, inline string. */
const raw = (t: string, style: number, v: string | null, inline: string | null) => ({ t, style, v, inline });

/** The part's bytes fed in chunks of `size` bytes (every size cuts tags, texts and UTF-8 characters somewhere). */
function chunks(xml: string, size: number): Buffer[] {
  const b = Buffer.from(xml);
  const out: Buffer[] = [];
  for (let i = 0; i < b.length; i += size) out.push(b.subarray(i, i + size));
  return out;
}

function sheet(xml: string, size = Infinity): SheetRow[] {
  const scan = new SheetScanner(raw);
  const rows: SheetRow[] = [];
  for (const c of chunks(xml, size)) rows.push(...scan.push(c));
  scan.end();
  return rows;
}

function strings(xml: string, size = Infinity): string[] {
  const out: string[] = [];
  const scan = new SharedStringScanner((s) => out.push(s));
  for (const c of chunks(xml, size)) scan.push(c);
  scan.end();
  return out;
}

const SIZES = [1, 2, 3, 5, 7, 11, 64, Infinity];

const wrap = (rows: string) =>
  `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\r\n<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:x14ac="http://schemas.microsoft.com/office/spreadsheetml/2009/9/ac"><dimension ref="A1:C3"/><sheetData>${rows}</sheetData><pageMargins left="0.7"/></worksheet>`;

describe('xlsx scanners', () => {
  it('reads rows and cells: references, types, styles, values, whatever the chunk size', () => {
    const xml = wrap(
      '<row r="1" spans="1:3" x14ac:dyDescent="0.25"><c r="A1" t="s" s="2"><v>0</v></c><c r="C1" s="14"><v>45296.5</v></c></row>' +
        '<row r="3"><c r="AA3" t="b"><v>1</v></c><c r="AB3" t="e"><v>#DIV/0!</v></c><c r="AC3" t="d"><v>2024-01-05T08:30:00</v></c></row>',
    );
    const want = [
      { number: 1, cells: [raw('s', 2, '0', null), null, raw('n', 14, '45296.5', null)] },
      { number: 3, cells: [...new Array(26).fill(null), raw('b', 0, '1', null), raw('e', 0, '#DIV/0!', null), raw('d', 0, '2024-01-05T08:30:00', null)] },
    ];
    for (const size of SIZES) expect(sheet(xml, size), `chunks of ${size}`).to.deep.equal(want);
  });

  it('places rows and cells without `r` by their order, and reads self-closing cells and rows', () => {
    const xml = wrap('<row r="5"><c><v>1</v></c><c s="3"/><c r="E5"><v>2</v></c><c><v>3</v></c></row><row><c><v>4</v></c></row><row r="8"/><row/>');
    const want = [
      { number: 5, cells: [raw('n', 0, '1', null), raw('n', 3, null, null), null, null, raw('n', 0, '2', null), raw('n', 0, '3', null)] },
      { number: 6, cells: [raw('n', 0, '4', null)] },
      { number: 8, cells: [] },
      { number: 9, cells: [] },
    ];
    for (const size of SIZES) expect(sheet(xml, size), `chunks of ${size}`).to.deep.equal(want);
  });

  it('joins inline strings and rich-text runs, keeps their spaces, leaves out phonetic runs, and splits no character', () => {
    const xml = wrap(
      '<row r="1"><c r="A1" t="inlineStr"><is><t>企业名称</t></is></c>' +
        '<c r="B1" t="inlineStr"><is><r><rPr><b/><sz val="11"/></rPr><t>深圳</t></r><r><t xml:space="preserve"> 甲 公司 </t></r><rPh sb="0" eb="2"><t>シンセン</t></rPh></is></c>' +
        '<c r="C1" t="inlineStr"><is><t/></is></c><c r="D1" t="inlineStr"/></row>',
    );
    const want = [{ number: 1, cells: [raw('inlineStr', 0, null, '企业名称'), raw('inlineStr', 0, null, '深圳 甲 公司 '), raw('inlineStr', 0, null, ''), raw('inlineStr', 0, null, null)] }];
    for (const size of SIZES) expect(sheet(xml, size), `chunks of ${size}`).to.deep.equal(want);
  });

  it("reads a formula's cached value, not the formula", () => {
    const xml = wrap(
      '<row r="2"><c r="A2" t="str"><f>CONCAT("a","&lt;b&gt;")</f><v>a&lt;b&gt;</v></c><c r="B2"><f t="shared" ref="B2:B9" si="0">A2*2</f><v>4</v></c><c r="C2"><f>NOW()</f></c></row>',
    );
    for (const size of SIZES) {
      expect(sheet(xml, size), `chunks of ${size}`).to.deep.equal([{ number: 2, cells: [raw('str', 0, 'a<b>', null), raw('n', 0, '4', null), raw('n', 0, null, null)] }]);
    }
  });

  it('decodes entities and character references, normalises line ends, reads CDATA and skips comments', () => {
    const xml = wrap(
      '<row r="1"><c r="A1" t="str"><v>a &amp; b &lt;c&gt; &quot;d&quot; &apos;e&apos; &#20013;&#x6587;&#X41;</v></c>' +
        '<c r="B1" t="inlineStr"><is><t>line1\r\nline2\rline3&#13;</t></is></c>' +
        '<!-- <row r="9"><c><v>9</v></c></row> --><c r="C1" t="str"><v><![CDATA[1 < 2 & <b>]]></v></c></row>',
    );
    const want = [{ number: 1, cells: [raw('str', 0, 'a & b <c> "d" \'e\' 中文A', null), raw('inlineStr', 0, null, 'line1\nline2\nline3\r'), raw('str', 0, '1 < 2 & <b>', null)] }];
    for (const size of SIZES) expect(sheet(xml + '<!---->', size), `chunks of ${size}`).to.deep.equal(want);
  });

  it('reads prefixed elements (x:row) and attributes quoted either way, holding ">" or entities', () => {
    const xml =
      '<x:worksheet xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><x:sheetData>' +
      `<x:row r='4' note="a>b/"><x:c r='B4' t='inlineStr' s="1"><x:is><x:t>p</x:t></x:is></x:c><x:c r="&#67;4" t="s&#116;r"><x:v>q</x:v></x:c></x:row>` +
      '</x:sheetData></x:worksheet>';
    for (const size of SIZES) {
      expect(sheet(xml, size), `chunks of ${size}`).to.deep.equal([{ number: 4, cells: [null, raw('inlineStr', 1, null, 'p'), raw('str', 0, 'q', null)] }]);
    }
  });

  it('hands out the rows each chunk finished, so a long sheet is never held whole', () => {
    const rows = Array.from({ length: 5000 }, (_, i) => `<row r="${i + 1}"><c r="A${i + 1}" t="inlineStr"><is><t>名称${i}</t></is></c><c r="B${i + 1}"><v>${i}.25</v></c></row>`);
    const scan = new SheetScanner(raw);
    let most = 0;
    let seen = 0;
    let last: SheetRow | undefined;
    for (const c of chunks(wrap(rows.join('')), 4096)) {
      const got = scan.push(c);
      most = Math.max(most, got.length);
      seen += got.length;
      if (got.length) last = got[got.length - 1];
    }
    scan.end();
    expect(seen).to.equal(5000);
    expect(most).to.be.below(100);
    expect(last).to.deep.equal({ number: 5000, cells: [raw('inlineStr', 0, null, '名称4999'), raw('n', 0, '4999.25', null)] });
  });

  it('refuses an undefined entity and a part that ends inside an element', () => {
    expect(() => sheet(wrap('<row r="1"><c r="A1" t="str"><v>&nbsp;</v></c></row>'))).to.throw('undefined entity &nbsp;');
    expect(() => sheet(wrap('<row r="1"><c r="A1"><v>1</v></c></row>').slice(0, -40))).to.throw('ends inside an element');
    expect(() => sheet(wrap('<row r="1"><c r="A1"><v>1</v></c>').replace('</worksheet>', '</worksheet'))).to.throw('ends inside an element');
  });

  it('reads shared strings: plain, rich text joined, phonetic runs left out, empty, whatever the chunk size', () => {
    const xml =
      '<?xml version="1.0" encoding="UTF-8"?>\n<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="6" uniqueCount="5">' +
      '<si><t>存续</t></si><si><r><rPr><b/></rPr><t>深圳</t></r><r><t xml:space="preserve"> 甲&amp;乙 </t></r><rPh sb="0" eb="1"><t>シン</t></rPh></si>' +
      '<si><t/></si><si/><si><t>a\r\nb</t></si></sst>';
    for (const size of SIZES) expect(strings(xml, size), `chunks of ${size}`).to.deep.equal(['存续', '深圳 甲&乙 ', '', '', 'a\nb']);
  });

  it('xmlText decodes references only after normalising line ends', () => {
    expect(xmlText('a\r\n&#13;&#10;b')).to.equal('a\n\r\nb');
    expect(xmlText('a & b')).to.equal('a & b');
    expect(() => xmlText('&#0;')).to.throw('invalid character reference');
  });
});

describe('xlsx shared strings table', () => {
  it('gives back every string, those straddling its 4 MB pages and one longer than a page included', () => {
    const table = new SharedStrings();
    const want: string[] = [];
    const add = (s: string) => {
      table.add(s);
      want.push(s);
    };
    add('');
    for (let i = 0; i < 300_000; i++) add(i % 1000 === 0 ? '' : `深圳市${i}号企业名称`); // about 8.7 MB: crosses two page ends
    add('长'.repeat(2_000_000)); // 6 MB: longer than a page
    add('after');
    expect(table.count).to.equal(want.length);
    for (let i = 0; i < want.length; i++) if (table.get(i) !== want[i]) expect(table.get(i), `string ${i}`).to.equal(want[i]);
    expect(table.get(want.length)).to.equal(undefined);
    expect(table.get(-1)).to.equal(undefined);
  });
});
