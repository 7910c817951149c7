import type { Knex } from 'knex';
import type { z } from 'zod';
import type { Principal } from '../auth/roles.ts';
import { HttpError } from '../http/errors.ts';
import { languageOf } from '../http/errors.ts';
import { route, written, type Scoping } from '../http/route.ts';
import { now } from '../sharing/clock.ts';
import { evaluate } from './evaluation.ts';
import { evaluationXlsx, indicatorsCsv, indicatorsXlsx } from './export.ts';
import { computeIndicators, type IndicatorFigures } from './indicators.ts';
import { dayEnd, dayStart, monthWindow, shanghaiDay } from './period.ts';
import { printPdf } from './print.ts';
import { EvaluationQuery, EvaluationReport, IndicatorQuery, IndicatorReport, IndicatorTrend, PrintQuery, TrendQuery } from './schema.ts';
import { loadSettings, SettingsError, type EvaluationSettings } from './settings.ts';
import { monthReport, readTrend, readTrendAnswer } from './snapshots.ts';

/** The authority and administrators read any department and the city; an officer their own department. */
const access = { admin: 'any', authority: 'any', officer: 'own' } as const;

/** The department asked about — the caller's own when none is named — so the gate checks an officer's reach on it. */
const askedDepartment = async ({ query }: { query: { department?: number } }, _knex: Knex, caller: Principal) => ({ departmentId: query.department ?? caller.departmentId });

/** Departments to report on, and whether the city's figures go with them. */
function reach(scoping: Scoping, department: number | undefined): { departments: number[] | null; withCity: boolean } {
  return { departments: department ? [department] : scoping.departments, withCity: scoping.departments === null };
}

/** The settings in force; a broken file is the operator's to fix, so the answer says so and names the problem. */
function settingsOf(homeDir: string): EvaluationSettings {
  try {
    return loadSettings(homeDir);
  } catch (err) {
    if (err instanceof SettingsError) throw new HttpError(503, 'misconfigured', err.message);
    throw err;
  }
}

const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

export const governanceRoutes = [
  route({
    method: 'get',
    path: '/api/v1/indicators',
    operationId: 'getIndicators',
    summary: 'Governance indicators (census, timeliness, quality, sharing, open data) per department and for the city, as of a date, as JSON, CSV (UTF-8 with BOM) or .xlsx',
    tags: ['governance'],
    access,
    response: IndicatorReport,
    alsoWrites: ['text/csv', XLSX],
    query: IndicatorQuery,
    owner: askedDepartment,
    handler: async ({ query, scoping, services, res }) => {
      const asOf = query.as_of ? dayEnd(query.as_of) : now();
      const to = query.to ? dayEnd(query.to) : asOf;
      const from = query.from ? dayStart(query.from) : dayStart(`${shanghaiDay(new Date(to.getTime() - 1)).slice(0, 7)}-01`);
      const { departments, withCity } = reach(scoping, query.department);
      const { graceDays } = settingsOf(services.config.homeDir);
      const report = await computeIndicators(services.knex, { asOf, from, to, graceDays }, departments, withCity);
      if (query.format === 'json') return { body: report };
      const name = `指标-${shanghaiDay(new Date(asOf.getTime() - 1))}`;
      if (query.format === 'csv') {
        res.type('text/csv; charset=utf-8').attachment(`${name}.csv`).send(indicatorsCsv(report));
        return;
      }
      res.type(XLSX).attachment(`${name}.xlsx`).send(await indicatorsXlsx(report));
    },
  }),
  route({
    method: 'get',
    path: '/api/v1/indicators/trend',
    operationId: 'getIndicatorTrend',
    summary: 'Monthly indicator snapshots from one month to another, per department and for the city',
    tags: ['governance'],
    access,
    response: IndicatorTrend,
    query: TrendQuery,
    owner: askedDepartment,
    handler: async ({ query, scoping, services, req, res }) => {
      const { departments, withCity } = reach(scoping, query.department);
      // the body is IndicatorTrend, written by PostgreSQL and kept gzipped too (readTrendAnswer says why)
      const answer = await readTrendAnswer(services.knex, { from: query.from, to: query.to, departments, withCity });
      res.type('application/json; charset=utf-8').vary('Accept-Encoding');
      if (req.acceptsEncodings('gzip') === 'gzip') res.set('Content-Encoding', 'gzip').send(answer.gzip);
      else res.send(answer.json);
    },
  }),
  route({
    method: 'get',
    path: '/api/v1/evaluations',
    operationId: 'getEvaluation',
    summary: 'The monthly evaluation (考核评价): each department’s weighted score and rank, as JSON or .xlsx',
    tags: ['governance'],
    access,
    response: EvaluationReport,
    alsoWrites: [XLSX],
    query: EvaluationQuery,
    owner: askedDepartment,
    handler: async ({ query, scoping, services, res }) => {
      const report = await evaluationOf(services.knex, services.config.homeDir, query.month, reach(scoping, query.department).departments);
      if (query.format === 'xlsx') {
        res.type(XLSX).attachment(`考核评价-${query.month}.xlsx`).send(await evaluationXlsx(query.month, report.items));
        return;
      }
      return { body: report };
    },
  }),
  route({
    method: 'get',
    path: '/api/v1/evaluations/report.pdf',
    operationId: 'printEvaluation',
    summary:
      'The monthly evaluation report (考核评价) as PDF: the web app’s printable page printed by a headless Chromium (ODX_CHROMIUM) that holds no credential — the evaluation is computed for the caller and handed to the page inside the server; 503 when Chromium or the web build is missing',
    tags: ['governance'],
    access: { admin: 'any', authority: 'any' },
    response: written('application/pdf'),
    query: PrintQuery,
    handler: async ({ query, services, req, res }) => {
      const report = await evaluationOf(services.knex, services.config.homeDir, query.month, null);
      const pdf = await printPdf({
        chromium: services.config.chromium,
        webDir: services.config.webDir,
        lang: languageOf(req.headers['accept-language']),
        page: `/print/evaluation?month=${query.month}`,
        answers: new Map([[`/api/v1/evaluations?month=${query.month}`, report]]),
      });
      res.type('application/pdf').attachment(`考核评价-${query.month}.pdf`).send(pdf);
    },
  }),
];

/** A month's evaluation of the departments in reach (null: all): from its snapshot once the month is over, else from history. */
async function evaluationOf(knex: Knex, homeDir: string, month: string, shown: number[] | null): Promise<z.output<typeof EvaluationReport>> {
  const settings = settingsOf(homeDir);
  const snapshot = await readTrend(knex, { from: month, to: month, departments: null, withCity: false });
  // a month still running, or never snapshotted, is computed from history
  const current = monthWindow(month).to > now();
  const departments: (IndicatorFigures & { department: { id: number; name: string } })[] =
    snapshot.length && !current ? snapshot.map((p) => ({ department: p.department!, ...p.indicators })) : (await monthReport(knex, month, settings.graceDays, null, false)).departments;
  const items = evaluate(departments, settings).filter((r) => !shown || shown.includes(r.department.id));
  return { month, settingsVersion: settings.version, items };
}
