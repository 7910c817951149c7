/**
 * The DCAT-AP export is validated with a real SHACL engine (rdf-validate-shacl) against the official
 * DCAT-AP 3.0.1 shapes (test/fixtures/dcat-ap-3.0.1, CC-BY 4.0): the Turtle (parsed with n3) and the
 * JSON-LD (converted with the jsonld package, document loader disabled) must give zero sh:Violation.
 */
import { readFileSync } from 'node:fs';
import { expect } from 'chai';
import jsonld from 'jsonld';
import { DataFactory, Parser, Store, Writer } from 'n3';
import type { Quad } from 'n3';
import SHACLValidator from 'rdf-validate-shacl';
import type { DcatCatalog, DcatDataset, Domain, UpdateCycle } from '../../server/src/open/dcat.ts';
import { DOMAIN_THEMES, FILE_TYPES, FREQUENCY, datasetIri, toJsonLd, toQuads, toTurtle } from '../../server/src/open/dcat.ts';
import type { ItemLike } from '../../server/src/data/items.ts';

const { namedNode } = DataFactory;
const SH = 'http://www.w3.org/ns/shacl#';
const DCAT = 'http://www.w3.org/ns/dcat#';
const DCT = 'http://purl.org/dc/terms/';
const RDF_TYPE = 'http://www.w3.org/1999/02/22-rdf-syntax-ns#type';
const SHAPE_FILES = ['dcat-ap-SHACL.ttl', 'ranges.ttl'] as const;

function loadShapes(file: string): Store {
  const ttl = readFileSync(new URL(`../fixtures/dcat-ap-3.0.1/${file}`, import.meta.url), 'utf8');
  return new Store(new Parser().parse(ttl));
}
const shapes: Record<string, Store> = Object.fromEntries(SHAPE_FILES.map((f) => [f, loadShapes(f)]));

interface Violation {
  focus: string;
  path?: string;
  component: string;
  message: string;
}

async function violations(quads: Quad[], shapeFile: string): Promise<Violation[]> {
  const validator = new SHACLValidator(shapes[shapeFile]);
  const report = await validator.validate(new Store(quads));
  return report.results
    .filter((r) => r.severity?.value === `${SH}Violation`)
    .map((r) => ({
      focus: r.focusNode?.value ?? '',
      path: r.path?.value,
      component: (r.sourceConstraintComponent?.value ?? '').replace(SH, 'sh:'),
      message: r.message.map((m) => m.value).join('; '),
    }));
}

async function expectNoViolations(quads: Quad[], label: string): Promise<void> {
  for (const file of SHAPE_FILES) {
    const v = await violations(quads, file);
    if (v.length) console.error(`${label} vs ${file}: ${v.length} violation(s)\n` + JSON.stringify(v, null, 1));
    expect(v, `${label} vs ${file}`).to.deep.equal([]);
  }
}

let remoteFetches = 0;
const noDocumentLoader = async (url: string): Promise<never> => {
  remoteFetches++;
  throw new Error(`remote JSON-LD document requested: ${url}`);
};

async function jsonLdToQuads(doc: object): Promise<Quad[]> {
  const nquads = (await jsonld.toRDF(doc as jsonld.JsonLdDocument, {
    format: 'application/n-quads',
    documentLoader: noDocumentLoader as never,
  })) as unknown as string;
  return new Parser({ format: 'N-Quads' }).parse(nquads);
}

function toNQuads(quads: Quad[]): string {
  const w = new Writer({ format: 'N-Quads' });
  w.addQuads(quads);
  let out = '';
  w.end((_e, r) => (out = r));
  return out;
}

async function canonical(quads: Quad[]): Promise<string> {
  return (await jsonld.canonize(toNQuads(quads) as unknown as jsonld.JsonLdDocument, {
    algorithm: 'URDNA2015',
    inputFormat: 'application/n-quads',
    format: 'application/n-quads',
    documentLoader: noDocumentLoader as never,
  } as never)) as unknown as string;
}

// ---------------------------------------------------------------------------------------------
// A catalogue exercising every domain, update cycle and format

const BASE = 'https://data.example.gov.cn';
const AUTHORITY = { name: '某市政务服务数据管理局', uscc: '11440300MB2C00001A', id: 'zsj', homepage: 'https://www.example.gov.cn/zsj' };
const AMR = { name: '某市市场监督管理局', uscc: '11440300MB2C00002D', id: 'amr' };
const TRANSPORT = { name: '某市交通运输局', uscc: '11440300MB2C00003G' };
const LICENCE = { url: 'https://creativecommons.org/licenses/by/4.0/', title: 'CC BY 4.0' };

const items: ItemLike[] = [
  { name: 'reg_no', label: '登记编号', type: 'C', length: 20, key: true },
  { name: 'ent_name', label: '企业名称', type: 'C', length: 100, required: true, description: '登记名称' },
  { name: 'reg_capital', label: '注册资本（万元）', type: 'Y', scale: 2 },
  { name: 'staff', label: '从业人数', type: 'N', scale: 0 },
  { name: 'est_date', label: '成立日期', type: 'D' },
  { name: 'updated_at', label: '更新时间', type: 'T' },
  { name: 'active', label: '是否存续', type: 'L' },
  { name: 'legal_rep', label: '法定代表人', type: 'C', sensitivity: 'personal', mask: 'name' },
  { name: 'mobile', label: '联系电话', type: 'C', sensitivity: 'personal', mask: 'mobile' },
  { name: 'home_address', label: '住所', type: 'C', sensitivity: 'personal', mask: 'drop' },
];

const DOMAINS = Object.keys(DOMAIN_THEMES) as Domain[];
const CYCLES = Object.keys(FREQUENCY) as UpdateCycle[];

function dataset(i: number, overrides: Partial<DcatDataset> = {}): DcatDataset {
  const code = `30702204000${String(31 + i).padStart(2, '0')}/0000${String(38 + i).padStart(2, '0')}`;
  const d = datasetIri(BASE, code);
  return {
    code,
    title: `测试数据集 ${i}`,
    description: `第 ${i} 个测试数据集的摘要`,
    keywords: ['测试', `关键词${i}`],
    publisher: i % 2 ? AMR : TRANSPORT,
    contactPoint: { name: '数据开放科', email: 'open@example.gov.cn', phone: '0755-1234 5678' },
    domain: DOMAINS[i % DOMAINS.length],
    updateCycle: CYCLES[i % CYCLES.length],
    issued: '2025-06-01',
    modified: i % 2 ? '2026-03-01T08:00:00+08:00' : new Date('2026-03-02T00:00:00Z'),
    licence: i % 3 ? LICENCE : LICENCE.url,
    rowCount: 1000 * i,
    items: i % 4 === 3 ? undefined : items,
    distributions: (['csv', 'ndjson', 'json', 'arrow', 'xlsx'] as const).map((format) => ({
      format,
      downloadUrl: `${d}/download?format=${format}`,
      ...(format === 'csv' ? { byteSize: 123456 } : {}),
    })),
    landingPage: i % 2 ? `${BASE}/portal/datasets/${encodeURIComponent(code)}` : undefined,
    ...overrides,
  };
}

const catalog: DcatCatalog = {
  title: '某市公共数据开放目录',
  description: '某市公共数据开放平台的无条件开放数据目录',
  homepage: `${BASE}/`,
  publisher: AUTHORITY,
  language: 'zh',
  baseUrl: `${BASE}/`,
  licence: LICENCE,
  issued: '2024-01-01',
  modified: '2026-03-02',
  apiDocsUrl: `${BASE}/api/docs/openapi.json`,
  datasets: Array.from({ length: 12 }, (_, i) => dataset(i)),
};

// ---------------------------------------------------------------------------------------------

describe('dcat: DCAT-AP 3.0.1 export validates against the official SHACL shapes', function () {
  this.timeout(120000);

  it('Turtle (parsed with n3): zero sh:Violation against dcat-ap-SHACL.ttl and ranges.ttl', async () => {
    const ttl = toTurtle(catalog);
    const quads = new Parser({ format: 'Turtle' }).parse(ttl);
    expect(quads.length).to.be.greaterThan(500);
    await expectNoViolations(quads, 'Turtle');
  });

  it('JSON-LD (via jsonld, no document loader): zero sh:Violation against both shape files', async () => {
    remoteFetches = 0;
    const doc = toJsonLd(catalog);
    const quads = await jsonLdToQuads(doc);
    expect(remoteFetches).to.equal(0);
    expect(quads.length).to.be.greaterThan(500);
    await expectNoViolations(quads, 'JSON-LD');
  });

  it('a minimal catalogue (one dataset, only required fields) is valid too', async () => {
    const minimal: DcatCatalog = {
      title: '目录',
      description: '说明',
      homepage: 'https://open.example.org',
      publisher: { name: '数据局', uscc: '11440300MB2C00001A' },
      baseUrl: 'https://open.example.org',
      datasets: [
        {
          code: 'A/1',
          title: '数据',
          description: '摘要',
          keywords: [],
          publisher: { name: '数据局', uscc: '11440300MB2C00001A' },
          contactPoint: { name: '联系人' },
          domain: 'other',
          updateCycle: 'irregular',
          issued: '2026-01-01',
          modified: '2026-01-01',
          licence: 'https://creativecommons.org/publicdomain/zero/1.0/',
          rowCount: 0,
          distributions: [{ format: 'csv', downloadUrl: 'https://open.example.org/a.csv' }],
        },
      ],
    };
    await expectNoViolations(toQuads(minimal), 'minimal');
  });

  it('Turtle, JSON-LD and toQuads are the same graph', async () => {
    const fromQuads = await canonical(toQuads(catalog));
    const fromTurtle = await canonical(new Parser({ format: 'Turtle' }).parse(toTurtle(catalog)));
    const fromJsonLd = await canonical(await jsonLdToQuads(toJsonLd(catalog)));
    expect(fromTurtle).to.equal(fromQuads);
    expect(fromJsonLd).to.equal(fromQuads);
  });

  describe('negative: the validator really runs', () => {
    const quads = toQuads(catalog);
    const ds0 = datasetIri(BASE, catalog.datasets[0].code);

    it('a dataset without dct:description (mandatory) gives a minCount violation', async () => {
      const broken = quads.filter((q) => !(q.subject.value === ds0 && q.predicate.value === `${DCT}description`));
      expect(broken.length).to.equal(quads.length - 1);
      const v = await violations(broken, 'dcat-ap-SHACL.ttl');
      expect(v).to.have.length(1);
      expect(v[0]).to.deep.include({ focus: ds0, path: `${DCT}description`, component: 'sh:MinCountConstraintComponent' });
    });

    it('a dataset without dct:title gives a violation', async () => {
      const broken = quads.filter((q) => !(q.subject.value === ds0 && q.predicate.value === `${DCT}title`));
      const v = await violations(broken, 'dcat-ap-SHACL.ttl');
      expect(v.map((x) => x.path)).to.include(`${DCT}title`);
    });

    it('a distribution without dcat:accessURL gives a violation', async () => {
      const dist = `${ds0}#distribution-csv`;
      const broken = quads.filter((q) => !(q.subject.value === dist && q.predicate.value === `${DCAT}accessURL`));
      const v = await violations(broken, 'dcat-ap-SHACL.ttl');
      expect(v).to.have.length(1);
      expect(v[0]).to.deep.include({ focus: dist, path: `${DCAT}accessURL` });
    });

    it('an untyped licence gives class violations in ranges.ttl too', async () => {
      const broken = quads.filter((q) => !(q.subject.value === LICENCE.url && q.predicate.value === RDF_TYPE));
      const v = await violations(broken, 'ranges.ttl');
      expect(v.length).to.be.greaterThan(0);
      expect(v.every((x) => x.component === 'sh:ClassConstraintComponent' && x.path === `${DCT}license`)).to.equal(true);
    });
  });
});

describe('dcat: content of the export', () => {
  const store = new Store(toQuads(catalog));
  const objects = (s: string, p: string) => store.getObjects(namedNode(s), namedNode(p), null).map((o) => o.value);
  const ds = catalog.datasets[1];
  const d = datasetIri(BASE, ds.code);

  it('encodes the slash of the resource code in the dataset IRI', () => {
    expect(d).to.equal(`${BASE}/api/v1/datasets/3070220400032%2F000039`);
    expect(objects(`${BASE}/catalog`, `${DCAT}dataset`)).to.include(d);
    expect(objects(d, `${DCT}identifier`)).to.deep.equal(['3070220400032/000039']);
    for (const q of store.getQuads(null, null, null, null)) {
      if (q.subject.termType === 'NamedNode') expect(() => new URL(q.subject.value)).to.not.throw();
    }
  });

  it('maps each update cycle to the EU frequency vocabulary', () => {
    const expected: Record<UpdateCycle, string> = {
      realtime: 'UPDATE_CONT',
      daily: 'DAILY',
      weekly: 'WEEKLY',
      monthly: 'MONTHLY',
      quarterly: 'QUARTERLY',
      semiannual: 'ANNUAL_2',
      yearly: 'ANNUAL',
      irregular: 'IRREG',
    };
    for (const x of catalog.datasets) {
      expect(objects(datasetIri(BASE, x.code), `${DCT}accrualPeriodicity`)).to.deep.equal([
        `http://publications.europa.eu/resource/authority/frequency/${expected[x.updateCycle]}`,
      ]);
    }
  });

  it('maps each domain to EU data themes plus the platform domain concept', () => {
    const eu = (code: string) => `http://publications.europa.eu/resource/authority/data-theme/${code}`;
    const expected: Record<Domain, string[]> = {
      finance: [eu('ECON')],
      transport: [eu('TRAN')],
      health: [eu('HEAL')],
      market: [eu('ECON'), eu('GOVE')],
      social_security: [eu('SOCI')],
      culture_tourism: [eu('EDUC'), eu('ECON')],
      credit: [eu('ECON'), eu('GOVE')],
      education: [eu('EDUC')],
      environment: [eu('ENVI')],
      other: [eu('GOVE')],
    };
    for (const x of catalog.datasets) {
      expect(objects(datasetIri(BASE, x.code), `${DCAT}theme`)).to.have.members([...expected[x.domain], `${BASE}/vocab/domain/${x.domain}`]);
    }
  });

  it('describes each download format with EU file types and IANA media types', () => {
    expect(objects(d, `${DCAT}distribution`)).to.have.length(6);
    for (const fmt of ['csv', 'ndjson', 'json', 'arrow', 'xlsx'] as const) {
      const dist = `${d}#distribution-${fmt}`;
      expect(objects(dist, `${DCAT}downloadURL`)).to.deep.equal([`${d}/download?format=${fmt}`]);
      expect(objects(dist, `${DCAT}accessURL`)).to.deep.equal([`${d}/download?format=${fmt}`]);
      expect(objects(dist, `${DCT}format`)).to.deep.equal([FILE_TYPES[fmt].format]);
      expect(objects(dist, `${DCT}license`)).to.deep.equal([LICENCE.url]);
    }
    expect(objects(`${d}#distribution-csv`, `${DCT}format`)).to.deep.equal(['http://publications.europa.eu/resource/authority/file-type/CSV']);
    expect(objects(`${d}#distribution-xlsx`, `${DCT}format`)).to.deep.equal(['http://publications.europa.eu/resource/authority/file-type/XLSX']);
    expect(objects(`${d}#distribution-csv`, `${DCAT}mediaType`)).to.deep.equal(['https://www.iana.org/assignments/media-types/text/csv']);
    expect(objects(`${d}#distribution-csv`, `${DCAT}byteSize`)).to.deep.equal(['123456']);
    expect(objects(`${d}#distribution-ndjson`, `${DCAT}mediaType`)).to.deep.equal([]);
  });

  it('licence is a dct:LicenseDocument; language is the EU ZHO; access rights public', () => {
    expect(objects(LICENCE.url, RDF_TYPE)).to.include(`${DCT}LicenseDocument`);
    expect(objects(d, `${DCT}language`)).to.deep.equal(['http://publications.europa.eu/resource/authority/language/ZHO']);
    expect(objects(`${BASE}/catalog`, `${DCT}language`)).to.deep.equal(['http://publications.europa.eu/resource/authority/language/ZHO']);
    expect(objects(d, `${DCT}accessRights`)).to.deep.equal(['http://publications.europa.eu/resource/authority/access-right/PUBLIC']);
  });

  it('the row API is a dcat:DataService serving the dataset', () => {
    const svc = `${d}#api`;
    expect(objects(svc, RDF_TYPE)).to.include(`${DCAT}DataService`);
    expect(objects(svc, `${DCAT}endpointURL`)).to.deep.equal([`${d}/rows`]);
    expect(objects(svc, `${DCAT}servesDataset`)).to.deep.equal([d]);
    expect(objects(svc, `${DCAT}endpointDescription`)).to.deep.equal([`${BASE}/api/docs/openapi.json`]);
    expect(objects(`${BASE}/catalog`, `${DCAT}service`)).to.include(svc);
    expect(objects(`${d}#distribution-api`, `${DCAT}accessService`)).to.deep.equal([svc]);
  });

  it('publisher with USCC, contact point, dates and row count', () => {
    const pub = `${BASE}/departments/amr`;
    expect(objects(d, `${DCT}publisher`)).to.deep.equal([pub]);
    expect(objects(pub, 'http://xmlns.com/foaf/0.1/name')).to.deep.equal(['某市市场监督管理局']);
    expect(objects(pub, `${DCT}identifier`)).to.deep.equal(['11440300MB2C00002D']);
    const transport = datasetIri(BASE, catalog.datasets[0].code);
    expect(objects(transport, `${DCT}publisher`)).to.deep.equal([`${BASE}/departments/11440300MB2C00003G`]);
    const cp = objects(d, `${DCAT}contactPoint`)[0];
    expect(objects(cp, 'http://www.w3.org/2006/vcard/ns#hasEmail')).to.deep.equal(['mailto:open@example.gov.cn']);
    expect(objects(cp, 'http://www.w3.org/2006/vcard/ns#hasTelephone')).to.deep.equal(['tel:0755-12345678']);
    const issued = store.getObjects(namedNode(d), namedNode(`${DCT}issued`), null)[0];
    expect(issued.value).to.equal('2025-06-01');
    expect((issued as { datatype: { value: string } }).datatype.value).to.equal('http://www.w3.org/2001/XMLSchema#date');
    const modified = store.getObjects(namedNode(d), namedNode(`${DCT}modified`), null)[0];
    expect((modified as { datatype: { value: string } }).datatype.value).to.equal('http://www.w3.org/2001/XMLSchema#dateTime');
    const extent = objects(d, `${DCT}extent`)[0];
    expect(objects(extent, 'http://www.w3.org/1999/02/22-rdf-syntax-ns#value')).to.deep.equal(['1000']);
  });

  it('columns are described as published: masked as strings, dropped omitted', () => {
    const schema = `${d}/datapackage.json`;
    expect(objects(`${d}#distribution-csv`, `${DCT}conformsTo`)).to.deep.equal([schema]);
    const names = store
      .getSubjects(namedNode(RDF_TYPE), namedNode('http://www.w3.org/ns/csvw#Column'), null)
      .filter((s) => s.value.startsWith(`${d}#`))
      .map((s) => objects(s.value, 'http://www.w3.org/ns/csvw#name')[0]);
    expect(names).to.have.members(['reg_no', 'ent_name', 'reg_capital', 'staff', 'est_date', 'updated_at', 'active', 'legal_rep', 'mobile']);
    expect(objects(`${d}#column-mobile`, 'http://www.w3.org/ns/csvw#datatype')).to.deep.equal(['http://www.w3.org/2001/XMLSchema#string']);
    expect(objects(`${d}#column-staff`, 'http://www.w3.org/ns/csvw#datatype')).to.deep.equal(['http://www.w3.org/2001/XMLSchema#integer']);
    // column order is kept in an rdf:List
    const ttl = toTurtle(catalog);
    expect(ttl).to.match(/csvw:column \(<[^>]+#column-reg_no> <[^>]+#column-ent_name>/);
  });

  it('JSON-LD has an inline context and no remote reference', () => {
    const doc = toJsonLd(catalog);
    expect(doc['@context']).to.be.an('object');
    for (const v of Object.values(doc['@context'] as Record<string, unknown>)) expect(v).to.be.a('string');
    expect(JSON.stringify(doc)).to.not.match(/"@context"\s*:\s*"/);
    expect(JSON.stringify(doc)).to.not.include('@import');
  });

  it('Turtle uses prefixes and is parseable', () => {
    const ttl = toTurtle(catalog);
    expect(ttl).to.match(/^@prefix dcat: <http:\/\/www\.w3\.org\/ns\/dcat#>/m);
    expect(ttl).to.include('dcat:Dataset');
    expect(() => new Parser().parse(ttl)).to.not.throw();
  });
});

describe('dcat: input checks', () => {
  const one = (o: Partial<DcatDataset>): DcatCatalog => ({ ...catalog, datasets: [dataset(1, o)] });

  it('refuses empty mandatory texts, bad URLs, unknown codes and duplicates', () => {
    expect(() => toQuads(one({ title: '' }))).to.throw(/title/);
    expect(() => toQuads(one({ description: '  ' }))).to.throw(/description/);
    expect(() => toQuads(one({ licence: 'CC-BY' }))).to.throw(/licence/);
    expect(() => toQuads(one({ domain: 'sports' as Domain }))).to.throw(/domain/);
    expect(() => toQuads(one({ updateCycle: 'hourly' as UpdateCycle }))).to.throw(/update cycle/);
    expect(() => toQuads(one({ issued: '2026-02-30' }))).to.throw(/issued/);
    expect(() => toQuads(one({ rowCount: -1 }))).to.throw(/rowCount/);
    expect(() => toQuads(one({ distributions: [{ format: 'csv', downloadUrl: '/relative.csv' }] }))).to.throw(/download URL/);
    expect(() => toQuads({ ...catalog, datasets: [dataset(1), dataset(1)] })).to.throw(/duplicate/);
    expect(() => toQuads({ ...catalog, language: 'fr' })).to.throw(/language/);
    expect(() => toQuads(one({ items: [{ name: 'tel', label: '电话', type: 'C', sensitivity: 'personal' }] }))).to.throw(/tel/);
  });
});
