/**
 * DCAT-AP 3.0.1 description of the open catalogue (`GET /catalog.ttl`, `GET /catalog.jsonld`).
 *
 * Input is a plain model (`DcatCatalog`) the route fills from the registry; output is the same RDF
 * graph as Turtle (`toTurtle`), JSON-LD with an inline context (`toJsonLd`, no remote context is
 * ever referenced) or RDF/JS quads (`toQuads`). The graph gives zero sh:Violation results against
 * the official DCAT-AP 3.0.1 shapes (`dcat-ap-SHACL.ttl` and `ranges.ttl`): every node a shape
 * constrains by class carries its rdf:type, because a SHACL engine only sees the data graph.
 *
 * IRIs (baseUrl without trailing slash; codes contain `/`, so they are percent-encoded):
 *   catalogue      {baseUrl}/catalog
 *   dataset        {baseUrl}/api/v1/datasets/{encodeURIComponent(code)}       (its metadata URL)
 *   distributions  {dataset}#distribution-{format}, {dataset}#distribution-api
 *   row API        {dataset}#api (dcat:DataService), endpoint {dataset}/rows
 *   table schema   {dataset}/datapackage.json (dct:Standard + csvw:Schema with the columns)
 *   department     {baseUrl}/departments/{encodeURIComponent(id ?? uscc)}
 *   domain concept {baseUrl}/vocab/domain/{domain}
 * Mapping tables: docs/open-data-standards.md.
 */
import { DataFactory, Writer } from 'n3';
import type { Quad, Quad_Object } from 'n3';
import type { ItemLike } from '../data/items.ts';
import type { DownloadFormat, SchemaOptions, TableFieldType } from './datapackage.ts';
import { DOWNLOAD_FORMATS, tableSchema } from './datapackage.ts';

// ---------------------------------------------------------------------------------------------
// Model

export type Domain =
  | 'finance'
  | 'transport'
  | 'health'
  | 'market'
  | 'social_security'
  | 'culture_tourism'
  | 'credit'
  | 'education'
  | 'environment'
  | 'other';
export type UpdateCycle = 'realtime' | 'daily' | 'weekly' | 'monthly' | 'quarterly' | 'semiannual' | 'yearly' | 'irregular';
export type { DownloadFormat } from './datapackage.ts';

/** A date (`YYYY-MM-DD`, exported as xsd:date), an ISO 8601 date-time string or a Date (xsd:dateTime). */
export type DateLike = string | Date;
/** Licence: its URL, or URL and title. */
export type DcatLicence = string | { url: string; title?: string };

export interface DcatAgent {
  name: string;
  /** 统一社会信用代码. */
  uscc: string;
  /** The department's id in platform URLs; the agent IRI is {baseUrl}/departments/{id ?? uscc}. */
  id?: string;
  homepage?: string;
  /** ADMS publisher type; default LocalAuthority. */
  type?: 'LocalAuthority' | 'RegionalAuthority' | 'NationalAuthority';
}

export interface DcatContactPoint {
  name: string;
  email?: string;
  phone?: string;
}

export interface DcatDistribution {
  format: DownloadFormat;
  downloadUrl: string;
  title?: string;
  byteSize?: number;
}

export interface DcatDataset {
  /** 信息资源代码, e.g. `3070220400031/000038`. */
  code: string;
  title: string;
  description: string;
  keywords: string[];
  /** The providing department. */
  publisher: DcatAgent;
  contactPoint: DcatContactPoint;
  domain: Domain;
  updateCycle: UpdateCycle;
  issued: DateLike;
  modified: DateLike;
  licence: DcatLicence;
  rowCount: number;
  /** Columns as catalogued; described as published (masked items as strings, dropped ones left out). */
  items?: readonly ItemLike[];
  distributions: DcatDistribution[];
  /** Row API endpoint; default {dataset IRI}/rows. */
  rowApiUrl?: string;
  /** Data Package descriptor; default {dataset IRI}/datapackage.json. */
  dataPackageUrl?: string;
  /** Portal page for people. */
  landingPage?: string;
}

export interface DcatCatalog {
  title: string;
  description: string;
  homepage: string;
  /** The data authority (政数局) publishing the catalogue. */
  publisher: DcatAgent;
  /** BCP 47 tag of the texts; default `zh`. */
  language?: string;
  /** Public base URL of the platform, e.g. https://data.example.gov.cn */
  baseUrl: string;
  licence?: DcatLicence;
  issued?: DateLike;
  modified?: DateLike;
  /** OpenAPI (or other) description of the row API, used as dcat:endpointDescription. */
  apiDocsUrl?: string;
  datasets: DcatDataset[];
}

export type DcatOptions = SchemaOptions;

// ---------------------------------------------------------------------------------------------
// Vocabularies and mapping tables

export const NS = {
  dcat: 'http://www.w3.org/ns/dcat#',
  dct: 'http://purl.org/dc/terms/',
  foaf: 'http://xmlns.com/foaf/0.1/',
  vcard: 'http://www.w3.org/2006/vcard/ns#',
  skos: 'http://www.w3.org/2004/02/skos/core#',
  adms: 'http://www.w3.org/ns/adms#',
  csvw: 'http://www.w3.org/ns/csvw#',
  rdf: 'http://www.w3.org/1999/02/22-rdf-syntax-ns#',
  rdfs: 'http://www.w3.org/2000/01/rdf-schema#',
  xsd: 'http://www.w3.org/2001/XMLSchema#',
} as const;

const EU = 'http://publications.europa.eu/resource/authority/';
const IANA = 'https://www.iana.org/assignments/media-types/';

/** 更新周期 -> EU frequency authority table. */
export const FREQUENCY: Readonly<Record<UpdateCycle, { iri: string; en: string; zh: string }>> = Object.freeze({
  realtime: { iri: `${EU}frequency/UPDATE_CONT`, en: 'continuously updated', zh: '实时' },
  daily: { iri: `${EU}frequency/DAILY`, en: 'daily', zh: '每日' },
  weekly: { iri: `${EU}frequency/WEEKLY`, en: 'weekly', zh: '每周' },
  monthly: { iri: `${EU}frequency/MONTHLY`, en: 'monthly', zh: '每月' },
  quarterly: { iri: `${EU}frequency/QUARTERLY`, en: 'quarterly', zh: '每季度' },
  semiannual: { iri: `${EU}frequency/ANNUAL_2`, en: 'semiannual', zh: '每半年' },
  yearly: { iri: `${EU}frequency/ANNUAL`, en: 'annual', zh: '每年' },
  irregular: { iri: `${EU}frequency/IRREG`, en: 'irregular', zh: '不定期' },
});

const EU_THEME_LABELS: Record<string, string> = {
  AGRI: 'Agriculture, fisheries, forestry and food',
  ECON: 'Economy and finance',
  EDUC: 'Education, culture and sport',
  ENER: 'Energy',
  ENVI: 'Environment',
  GOVE: 'Government and public sector',
  HEAL: 'Health',
  INTR: 'International issues',
  JUST: 'Justice, legal system and public safety',
  REGI: 'Regions and cities',
  SOCI: 'Population and society',
  TECH: 'Science and technology',
  TRAN: 'Transport',
};

/** 所属领域 -> EU data-theme codes, with the platform's own labels. */
export const DOMAIN_THEMES: Readonly<Record<Domain, { eu: readonly string[]; zh: string; en: string }>> = Object.freeze({
  finance: { eu: ['ECON'], zh: '普惠金融', en: 'Inclusive finance' },
  transport: { eu: ['TRAN'], zh: '交通出行', en: 'Transport and travel' },
  health: { eu: ['HEAL'], zh: '医疗健康', en: 'Health care' },
  market: { eu: ['ECON', 'GOVE'], zh: '市场监管', en: 'Market regulation' },
  social_security: { eu: ['SOCI'], zh: '社会保障', en: 'Social security' },
  culture_tourism: { eu: ['EDUC', 'ECON'], zh: '文化旅游', en: 'Culture and tourism' },
  credit: { eu: ['ECON', 'GOVE'], zh: '信用服务', en: 'Credit services' },
  education: { eu: ['EDUC'], zh: '教育', en: 'Education' },
  environment: { eu: ['ENVI'], zh: '生态环境', en: 'Ecology and environment' },
  other: { eu: ['GOVE'], zh: '其他', en: 'Other' },
});

/**
 * Download format -> EU file-type (dct:format) and IANA media type (dcat:mediaType).
 * NDJSON has no IANA registration and the EU table has no NDJSON entry: format JSON, no media type.
 * Arrow IPC streams have an IANA type but no EU file-type entry: the IANA type is the format.
 */
export const FILE_TYPES: Readonly<Record<DownloadFormat, { format: string; label: string; mediaType?: string; note?: string }>> = Object.freeze({
  csv: { format: `${EU}file-type/CSV`, label: 'CSV', mediaType: `${IANA}text/csv` },
  ndjson: { format: `${EU}file-type/JSON`, label: 'NDJSON', note: '每行一个 JSON 对象（newline-delimited JSON）' },
  json: { format: `${EU}file-type/JSON`, label: 'JSON', mediaType: `${IANA}application/json` },
  arrow: { format: `${IANA}application/vnd.apache.arrow.stream`, label: 'Apache Arrow IPC stream', mediaType: `${IANA}application/vnd.apache.arrow.stream` },
  xlsx: { format: `${EU}file-type/XLSX`, label: 'Excel XLSX', mediaType: `${IANA}application/vnd.openxmlformats-officedocument.spreadsheetml.sheet` },
});

/** BCP 47 primary language subtag -> EU language authority code. */
export const LANGUAGES: Readonly<Record<string, { code: string; en: string; zh: string }>> = Object.freeze({
  zh: { code: 'ZHO', en: 'Chinese', zh: '中文' },
  en: { code: 'ENG', en: 'English', zh: '英文' },
});

const PUBLISHER_TYPES = {
  LocalAuthority: 'Local Authority',
  RegionalAuthority: 'Regional Authority',
  NationalAuthority: 'National authority',
} as const;

const TABLE_TO_XSD: Record<TableFieldType, string> = {
  string: `${NS.xsd}string`,
  number: `${NS.xsd}decimal`,
  integer: `${NS.xsd}integer`,
  date: `${NS.xsd}date`,
  datetime: `${NS.xsd}dateTime`,
  boolean: `${NS.xsd}boolean`,
};

// ---------------------------------------------------------------------------------------------
// IRIs

function trimBase(baseUrl: string): string {
  return absolute(baseUrl, 'baseUrl').replace(/\/+$/, '');
}

export function catalogIri(baseUrl: string): string {
  return `${trimBase(baseUrl)}/catalog`;
}

/** The dataset IRI: its metadata URL, with the code percent-encoded (`/` -> `%2F`). */
export function datasetIri(baseUrl: string, code: string): string {
  return `${trimBase(baseUrl)}/api/v1/datasets/${encodeURIComponent(code)}`;
}

export function agentIri(baseUrl: string, agent: Pick<DcatAgent, 'id' | 'uscc'>): string {
  return `${trimBase(baseUrl)}/departments/${encodeURIComponent(agent.id ?? agent.uscc)}`;
}

export function domainIri(baseUrl: string, domain: Domain): string {
  return `${trimBase(baseUrl)}/vocab/domain/${domain}`;
}

function absolute(u: string, what: string, schemes: string[] = ['http:', 'https:']): string {
  let url: URL;
  try {
    url = new URL(u);
  } catch {
    throw new Error(`${what} is not an absolute URL: ${JSON.stringify(u)}`);
  }
  if (!schemes.includes(url.protocol)) throw new Error(`${what} must be ${schemes.join(' or ')}: ${JSON.stringify(u)}`);
  return url.href;
}

// ---------------------------------------------------------------------------------------------
// A tiny graph model, serialised three ways from the same triples

type Obj =
  | { t: 'iri'; v: string }
  | { t: 'lit'; v: string; lang?: string; dt?: string }
  | { t: 'list'; items: Obj[] };

const iri = (v: string): Obj => ({ t: 'iri', v });
const str = (v: string): Obj => ({ t: 'lit', v });
const typed = (v: string, dt: string): Obj => ({ t: 'lit', v, dt });

class Graph {
  readonly nodes = new Map<string, Array<[string, Obj]>>();
  private readonly seen = new Set<string>();

  add(s: string, p: string, o: Obj): void {
    const key = `${s}\u0000${p}\u0000${JSON.stringify(o)}`;
    if (this.seen.has(key)) return;
    this.seen.add(key);
    let props = this.nodes.get(s);
    if (!props) this.nodes.set(s, (props = []));
    props.push([p, o]);
  }

  type(s: string, ...classes: string[]): void {
    for (const c of classes) this.add(s, `${NS.rdf}type`, iri(c));
  }
}

function dateLiteral(v: DateLike, what: string): Obj {
  if (v instanceof Date) {
    if (Number.isNaN(v.getTime())) throw new Error(`${what} is an invalid Date`);
    return typed(v.toISOString(), `${NS.xsd}dateTime`);
  }
  if (/^\d{4}-\d{2}-\d{2}$/.test(v)) {
    const d = new Date(`${v}T00:00:00Z`);
    if (Number.isNaN(d.getTime()) || d.toISOString().slice(0, 10) !== v) throw new Error(`${what} is not a real date: ${v}`);
    return typed(v, `${NS.xsd}date`);
  }
  if (/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/.test(v) && !Number.isNaN(Date.parse(v))) {
    return typed(v, `${NS.xsd}dateTime`);
  }
  throw new Error(`${what} is not an ISO 8601 date or date-time: ${JSON.stringify(v)}`);
}

function required(value: string | undefined, what: string): string {
  if (typeof value !== 'string' || !value.trim()) throw new Error(`${what} is required`);
  return value;
}

function languageTag(language: string | undefined): { tag: string; eu: { code: string; en: string; zh: string } } {
  const tag = (language ?? 'zh').toLowerCase();
  const eu = LANGUAGES[tag.split('-')[0]];
  if (!eu) throw new Error(`no EU language code known for ${JSON.stringify(language)}`);
  return { tag, eu };
}

function buildGraph(cat: DcatCatalog, options: DcatOptions = {}): Graph {
  const g = new Graph();
  const base = trimBase(cat.baseUrl);
  const { tag, eu: lang } = languageTag(cat.language);
  const text = (v: string): Obj => ({ t: 'lit', v, lang: tag });
  const en = (v: string): Obj => ({ t: 'lit', v, lang: 'en' });
  const zh = (v: string): Obj => ({ t: 'lit', v, lang: 'zh' });
  const { dcat, dct, foaf, vcard, skos, adms, csvw, rdf, rdfs, xsd } = NS;

  const catIri = catalogIri(base);
  const langIri = `${EU}language/${lang.code}`;
  const euThemeScheme = `${EU}data-theme`;
  const domainScheme = `${base}/vocab/domain`;
  const publicAccess = `${EU}access-right/PUBLIC`;

  const licence = (l: DcatLicence, what: string): string => {
    const url = absolute(typeof l === 'string' ? l : l.url, what);
    g.type(url, `${dct}LicenseDocument`);
    if (typeof l !== 'string' && l.title) g.add(url, `${dct}title`, str(l.title));
    return url;
  };
  const document = (u: string, what: string): string => {
    const url = absolute(u, what);
    g.type(url, `${foaf}Document`);
    return url;
  };
  const agent = (a: DcatAgent, what: string): string => {
    const s = agentIri(base, { id: a.id, uscc: required(a.uscc, `${what} uscc`) });
    g.type(s, `${foaf}Agent`, `${foaf}Organization`);
    g.add(s, `${foaf}name`, text(required(a.name, `${what} name`)));
    g.add(s, `${dct}identifier`, str(a.uscc));
    const id = `${s}#uscc`;
    g.add(s, `${adms}identifier`, iri(id));
    g.type(id, `${adms}Identifier`);
    g.add(id, `${skos}notation`, str(a.uscc));
    g.add(id, `${adms}schemaAgency`, zh('统一社会信用代码（GB 32100-2015）'));
    const type = a.type ?? 'LocalAuthority';
    const typeIri = `http://purl.org/adms/publishertype/${type}`;
    g.add(s, `${dct}type`, iri(typeIri));
    g.type(typeIri, `${skos}Concept`);
    g.add(typeIri, `${skos}prefLabel`, en(PUBLISHER_TYPES[type]));
    g.add(typeIri, `${skos}inScheme`, iri('http://purl.org/adms/publishertype/1.0'));
    if (a.homepage) g.add(s, `${foaf}homepage`, iri(document(a.homepage, `${what} homepage`)));
    return s;
  };
  const frequency = (c: UpdateCycle): string => {
    const f = FREQUENCY[c];
    if (!f) throw new Error(`unknown update cycle ${JSON.stringify(c)}`);
    g.type(f.iri, `${dct}Frequency`, `${skos}Concept`);
    g.add(f.iri, `${skos}prefLabel`, en(f.en));
    g.add(f.iri, `${skos}prefLabel`, zh(f.zh));
    g.add(f.iri, `${skos}inScheme`, iri(`${EU}frequency`));
    return f.iri;
  };
  const themes = (d: Domain): string[] => {
    const m = DOMAIN_THEMES[d];
    if (!m) throw new Error(`unknown domain ${JSON.stringify(d)}`);
    const out: string[] = [];
    for (const code of m.eu) {
      const t = `${euThemeScheme}/${code}`;
      g.type(t, `${skos}Concept`);
      g.add(t, `${skos}prefLabel`, en(EU_THEME_LABELS[code]));
      g.add(t, `${skos}inScheme`, iri(euThemeScheme));
      out.push(t);
    }
    const local = domainIri(base, d);
    g.type(local, `${skos}Concept`);
    g.add(local, `${skos}prefLabel`, zh(m.zh));
    g.add(local, `${skos}prefLabel`, en(m.en));
    g.add(local, `${skos}inScheme`, iri(domainScheme));
    for (const t of out) g.add(local, `${skos}broadMatch`, iri(t));
    out.push(local);
    return out;
  };
  const fileType = (fmt: DownloadFormat) => {
    const ft = FILE_TYPES[fmt];
    if (!ft) throw new Error(`unknown distribution format ${JSON.stringify(fmt)}`);
    g.type(ft.format, `${dct}MediaTypeOrExtent`);
    if (ft.format.startsWith(IANA)) g.type(ft.format, `${dct}MediaType`);
    if (ft.mediaType) g.type(ft.mediaType, `${dct}MediaType`, `${dct}MediaTypeOrExtent`);
    return ft;
  };

  // catalogue
  g.type(catIri, `${dcat}Catalog`);
  g.add(catIri, `${dct}title`, text(required(cat.title, 'catalogue title')));
  g.add(catIri, `${dct}description`, text(required(cat.description, 'catalogue description')));
  g.add(catIri, `${dct}publisher`, iri(agent(cat.publisher, 'catalogue publisher')));
  g.add(catIri, `${foaf}homepage`, iri(document(cat.homepage, 'catalogue homepage')));
  g.add(catIri, `${dct}language`, iri(langIri));
  g.type(langIri, `${dct}LinguisticSystem`);
  g.add(langIri, `${skos}prefLabel`, en(lang.en));
  g.add(langIri, `${skos}prefLabel`, zh(lang.zh));
  g.add(catIri, `${dcat}themeTaxonomy`, iri(euThemeScheme));
  g.type(euThemeScheme, `${skos}ConceptScheme`);
  g.add(euThemeScheme, `${dct}title`, en('Data theme'));
  g.add(catIri, `${dcat}themeTaxonomy`, iri(domainScheme));
  g.type(domainScheme, `${skos}ConceptScheme`);
  g.add(domainScheme, `${dct}title`, zh('开放数据所属领域'));
  g.add(domainScheme, `${dct}title`, en('Open data domains'));
  if (cat.licence) g.add(catIri, `${dct}license`, iri(licence(cat.licence, 'catalogue licence')));
  if (cat.issued) g.add(catIri, `${dct}issued`, dateLiteral(cat.issued, 'catalogue issued'));
  if (cat.modified) g.add(catIri, `${dct}modified`, dateLiteral(cat.modified, 'catalogue modified'));
  g.type(publicAccess, `${dct}RightsStatement`);
  g.add(publicAccess, `${skos}prefLabel`, en('public'));
  g.add(publicAccess, `${skos}prefLabel`, zh('无条件开放'));

  const seenCodes = new Set<string>();
  for (const ds of cat.datasets) {
    const what = `dataset ${JSON.stringify(ds.code)}`;
    required(ds.code, 'dataset code');
    if (seenCodes.has(ds.code)) throw new Error(`duplicate ${what}`);
    seenCodes.add(ds.code);
    const d = datasetIri(base, ds.code);
    g.add(catIri, `${dcat}dataset`, iri(d));
    g.type(d, `${dcat}Dataset`);
    g.add(d, `${dct}identifier`, str(ds.code));
    g.add(d, `${dct}title`, text(required(ds.title, `${what} title`)));
    g.add(d, `${dct}description`, text(required(ds.description, `${what} description`)));
    for (const k of ds.keywords ?? []) if (k && k.trim()) g.add(d, `${dcat}keyword`, text(k.trim()));
    const pub = agent(ds.publisher, `${what} publisher`);
    g.add(d, `${dct}publisher`, iri(pub));

    const cp = `${d}#contact`;
    g.add(d, `${dcat}contactPoint`, iri(cp));
    g.type(cp, `${vcard}Kind`);
    g.add(cp, `${vcard}fn`, text(required(ds.contactPoint?.name, `${what} contact point name`)));
    if (ds.contactPoint.email) g.add(cp, `${vcard}hasEmail`, iri(absolute(`mailto:${ds.contactPoint.email.trim()}`, `${what} contact email`, ['mailto:'])));
    if (ds.contactPoint.phone) {
      const tel = ds.contactPoint.phone.replace(/[\s()（）]/g, '');
      g.add(cp, `${vcard}hasTelephone`, iri(absolute(`tel:${tel}`, `${what} contact phone`, ['tel:'])));
    }

    const themeIris = themes(ds.domain);
    for (const t of themeIris) g.add(d, `${dcat}theme`, iri(t));
    g.add(d, `${dct}accrualPeriodicity`, iri(frequency(ds.updateCycle)));
    g.add(d, `${dct}issued`, dateLiteral(ds.issued, `${what} issued`));
    g.add(d, `${dct}modified`, dateLiteral(ds.modified, `${what} modified`));
    g.add(d, `${dct}language`, iri(langIri));
    g.add(d, `${dct}accessRights`, iri(publicAccess));
    if (ds.landingPage) g.add(d, `${dcat}landingPage`, iri(document(ds.landingPage, `${what} landing page`)));

    if (!Number.isSafeInteger(ds.rowCount) || ds.rowCount < 0) throw new Error(`${what} rowCount must be a non-negative integer`);
    const extent = `${d}#extent`;
    g.add(d, `${dct}extent`, iri(extent));
    g.type(extent, `${dct}SizeOrDuration`);
    g.add(extent, `${rdf}value`, typed(String(ds.rowCount), `${xsd}nonNegativeInteger`));
    g.add(extent, `${rdfs}label`, zh(`${ds.rowCount} 条记录`));
    g.add(extent, `${rdfs}label`, en(`${ds.rowCount} rows`));

    const lic = licence(ds.licence, `${what} licence`);

    // the table schema (columns as published)
    let schemaIri: string | undefined;
    if (ds.items && ds.items.length) {
      const schema = tableSchema(ds.items, options);
      schemaIri = absolute(ds.dataPackageUrl ?? `${d}/datapackage.json`, `${what} data package URL`);
      g.type(schemaIri, `${dct}Standard`, `${csvw}Schema`);
      g.add(schemaIri, `${dct}title`, zh(`${ds.title} 表结构（Frictionless Data Package / Table Schema）`));
      const cols: Obj[] = [];
      for (const f of schema.fields) {
        const c = `${d}#column-${encodeURIComponent(f.name)}`;
        g.type(c, `${csvw}Column`);
        g.add(c, `${csvw}name`, str(f.name));
        if (f.title) g.add(c, `${csvw}title`, text(f.title));
        if (f.description) g.add(c, `${dct}description`, text(f.description));
        g.add(c, `${csvw}datatype`, iri(TABLE_TO_XSD[f.type]));
        if (f.constraints?.required) g.add(c, `${csvw}required`, typed('true', `${xsd}boolean`));
        cols.push(iri(c));
      }
      g.add(schemaIri, `${csvw}column`, { t: 'list', items: cols });
      if (schema.primaryKey) for (const k of schema.primaryKey) g.add(schemaIri, `${csvw}primaryKey`, str(k));
    }

    // downloads
    const formats = new Set<DownloadFormat>();
    const dists = [...ds.distributions].sort((a, b) => DOWNLOAD_FORMATS.indexOf(a.format) - DOWNLOAD_FORMATS.indexOf(b.format));
    for (const dist of dists) {
      if (formats.has(dist.format)) throw new Error(`${what} has two ${dist.format} distributions`);
      formats.add(dist.format);
      const ft = fileType(dist.format);
      const s = `${d}#distribution-${dist.format}`;
      const url = absolute(dist.downloadUrl, `${what} ${dist.format} download URL`);
      g.add(d, `${dcat}distribution`, iri(s));
      g.type(s, `${dcat}Distribution`);
      g.add(s, `${dct}title`, text(dist.title ?? `${ds.title}（${ft.label}）`));
      if (ft.note) g.add(s, `${dct}description`, zh(ft.note));
      g.add(s, `${dcat}accessURL`, iri(url));
      g.add(s, `${dcat}downloadURL`, iri(url));
      g.add(s, `${dct}format`, iri(ft.format));
      if (ft.mediaType) g.add(s, `${dcat}mediaType`, iri(ft.mediaType));
      g.add(s, `${dct}license`, iri(lic));
      if (schemaIri) g.add(s, `${dct}conformsTo`, iri(schemaIri));
      if (dist.byteSize !== undefined) {
        if (!Number.isSafeInteger(dist.byteSize) || dist.byteSize < 0) throw new Error(`${what} ${dist.format} byteSize must be a non-negative integer`);
        g.add(s, `${dcat}byteSize`, typed(String(dist.byteSize), `${xsd}nonNegativeInteger`));
      }
    }

    // the row API: a data service, and a distribution reached through it
    const endpoint = absolute(ds.rowApiUrl ?? `${d}/rows`, `${what} row API URL`);
    const svc = `${d}#api`;
    g.add(catIri, `${dcat}service`, iri(svc));
    g.type(svc, `${dcat}DataService`);
    g.add(svc, `${dct}title`, text(`${ds.title} 行查询接口`));
    g.add(svc, `${dct}description`, zh('按字段筛选、排序和游标分页查询数据行，返回 JSON（个人信息已脱敏）。'));
    g.add(svc, `${dcat}endpointURL`, iri(endpoint));
    g.type(endpoint, `${rdfs}Resource`);
    if (cat.apiDocsUrl) {
      const docs = absolute(cat.apiDocsUrl, 'apiDocsUrl');
      g.add(svc, `${dcat}endpointDescription`, iri(docs));
      g.type(docs, `${rdfs}Resource`);
    }
    g.add(svc, `${dcat}servesDataset`, iri(d));
    g.add(svc, `${dct}publisher`, iri(pub));
    g.add(svc, `${dcat}contactPoint`, iri(cp));
    g.add(svc, `${dct}license`, iri(lic));
    g.add(svc, `${dct}accessRights`, iri(publicAccess));
    for (const t of themeIris) g.add(svc, `${dcat}theme`, iri(t));
    const json = fileType('json');
    g.add(svc, `${dct}format`, iri(json.format));

    const apiDist = `${d}#distribution-api`;
    g.add(d, `${dcat}distribution`, iri(apiDist));
    g.type(apiDist, `${dcat}Distribution`);
    g.add(apiDist, `${dct}title`, text(`${ds.title}（行查询接口）`));
    g.add(apiDist, `${dcat}accessURL`, iri(endpoint));
    g.add(apiDist, `${dcat}accessService`, iri(svc));
    g.add(apiDist, `${dct}format`, iri(json.format));
    if (json.mediaType) g.add(apiDist, `${dcat}mediaType`, iri(json.mediaType));
    g.add(apiDist, `${dct}license`, iri(lic));
    if (schemaIri) g.add(apiDist, `${dct}conformsTo`, iri(schemaIri));
  }
  return g;
}

// ---------------------------------------------------------------------------------------------
// Serialisations

const { namedNode, literal, blankNode, quad } = DataFactory;

function term(o: Exclude<Obj, { t: 'list' }>) {
  if (o.t === 'iri') return namedNode(o.v);
  if (o.lang) return literal(o.v, o.lang);
  if (o.dt && o.dt !== `${NS.xsd}string`) return literal(o.v, namedNode(o.dt));
  return literal(o.v);
}

/** The catalogue as RDF/JS quads (default graph). List nodes are blank nodes `_:l0`, `_:l1`, ... */
export function toQuads(cat: DcatCatalog, options?: DcatOptions): Quad[] {
  const g = buildGraph(cat, options);
  const out: Quad[] = [];
  let n = 0;
  for (const [s, props] of g.nodes) {
    for (const [p, o] of props) {
      if (o.t !== 'list') {
        out.push(quad(namedNode(s), namedNode(p), term(o)));
        continue;
      }
      if (!o.items.length) {
        out.push(quad(namedNode(s), namedNode(p), namedNode(`${NS.rdf}nil`)));
        continue;
      }
      const nodes = o.items.map(() => blankNode(`l${n++}`));
      out.push(quad(namedNode(s), namedNode(p), nodes[0]));
      o.items.forEach((item, i) => {
        if (item.t === 'list') throw new Error('nested lists are not supported');
        out.push(quad(nodes[i], namedNode(`${NS.rdf}first`), term(item)));
        out.push(quad(nodes[i], namedNode(`${NS.rdf}rest`), i + 1 < nodes.length ? nodes[i + 1] : namedNode(`${NS.rdf}nil`)));
      });
    }
  }
  return out;
}

/** The catalogue as Turtle. */
export function toTurtle(cat: DcatCatalog, options?: DcatOptions): string {
  const g = buildGraph(cat, options);
  const writer = new Writer({ prefixes: { ...NS } });
  for (const [s, props] of g.nodes) {
    for (const [p, o] of props) {
      let object: Quad_Object;
      if (o.t === 'list') {
        object = writer.list(
          o.items.map((item) => {
            if (item.t === 'list') throw new Error('nested lists are not supported');
            return term(item);
          }),
        ) as unknown as Quad_Object;
      } else {
        object = term(o);
      }
      writer.addQuad(namedNode(s), namedNode(p), object);
    }
  }
  let result = '';
  writer.end((error, ttl) => {
    if (error) throw error;
    result = ttl;
  });
  return result;
}

/** The inline JSON-LD context: prefixes only (no remote context). */
export const JSONLD_CONTEXT: Readonly<Record<string, string>> = Object.freeze({ ...NS });

function compactIri(v: string): string {
  for (const [prefix, ns] of Object.entries(NS)) {
    if (v.startsWith(ns) && v.length > ns.length && /^[A-Za-z_][\w.-]*$/.test(v.slice(ns.length))) return `${prefix}:${v.slice(ns.length)}`;
  }
  return v;
}

type JsonLdValue = string | { '@id': string } | { '@value': string; '@language'?: string; '@type'?: string } | { '@list': JsonLdValue[] };

function jsonValue(o: Obj): JsonLdValue {
  if (o.t === 'iri') return { '@id': o.v };
  if (o.t === 'list') return { '@list': o.items.map(jsonValue) };
  if (o.lang) return { '@value': o.v, '@language': o.lang };
  if (o.dt && o.dt !== `${NS.xsd}string`) return { '@value': o.v, '@type': compactIri(o.dt) };
  return o.v;
}

/** The catalogue as a JSON-LD document (expanded-friendly, with an inline prefix context). */
export function toJsonLd(cat: DcatCatalog, options?: DcatOptions): Record<string, unknown> {
  const g = buildGraph(cat, options);
  const graph: Array<Record<string, unknown>> = [];
  for (const [s, props] of g.nodes) {
    const node: Record<string, unknown> = { '@id': s };
    const types: string[] = [];
    const values = new Map<string, JsonLdValue[]>();
    for (const [p, o] of props) {
      if (p === `${NS.rdf}type` && o.t === 'iri') {
        types.push(compactIri(o.v));
        continue;
      }
      const key = compactIri(p);
      let list = values.get(key);
      if (!list) values.set(key, (list = []));
      list.push(jsonValue(o));
    }
    if (types.length) node['@type'] = types.length === 1 ? types[0] : types;
    for (const [k, v] of values) node[k] = v.length === 1 ? v[0] : v;
    graph.push(node);
  }
  return { '@context': { ...JSONLD_CONTEXT }, '@graph': graph };
}
