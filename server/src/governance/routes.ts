import type { Knex } from 'knex';
import type { Principal } from '../auth/roles.ts';
import { HttpError } from '../http/errors.ts';
import { route, type Scoping } from '../http/route.ts';
import { now } from '../sharing/clock.ts';
import { evaluate } from './evaluation.ts';
import { evaluationXlsx, indicatorsCsv, indicatorsXlsx } from './export.ts';
import { computeIndicators, type IndicatorFigures } from './indicators.ts';
import { dayEnd, dayStart, monthWindow, shanghaiDay } from './period.ts';
import { EvaluationQuery, EvaluationReport, IndicatorQuery, IndicatorReport, IndicatorTrend, TrendQuery } from './schema.ts';
import { loadSettings, SettingsError, type EvaluationSettings } from './settings.ts';
import { monthReport, readTrend } from './snapshots.ts';

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
    handler: async ({ query, scoping, services }) => {
      const { departments, withCity } = reach(scoping, query.department);
      return { body: { items: await readTrend(services.knex, { from: query.from, to: query.to, departments, withCity }) } };
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
      const settings = settingsOf(services.config.homeDir);
      const snapshot = await readTrend(services.knex, { from: query.month, to: query.month, departments: null, withCity: false });
      // a month still running, or never snapshotted, is computed from history
      const current = monthWindow(query.month).to > now();
      const departments: (IndicatorFigures & { department: { id: number; name: string } })[] =
        snapshot.length && !current
          ? snapshot.map((p) => ({ department: p.department!, ...p.indicators }))
          : (await monthReport(services.knex, query.month, settings.graceDays, null, false)).departments;
      const { departments: shown } = reach(scoping, query.department);
      const items = evaluate(departments, settings).filter((r) => !shown || shown.includes(r.department.id));
      if (query.format === 'xlsx') {
        res.type(XLSX).attachment(`考核评价-${query.month}.xlsx`).send(await evaluationXlsx(query.month, items));
        return;
      }
      return { body: { month: query.month, settingsVersion: settings.version, items } };
    },
  }),
];
