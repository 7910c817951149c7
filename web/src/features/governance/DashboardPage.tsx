import { Alert, Button, Select, Space } from 'antd';
import { useMemo } from 'react';
import { useSearchParams } from 'react-router';
import { Field } from '../../components/Field.tsx';
import { Loading } from '../../components/Loading.tsx';
import { ProblemAlert } from '../../components/ProblemAlert.tsx';
import { queryString } from '../../api/client.ts';
import { useI18n } from '../../i18n/i18n.tsx';
import { useMe } from '../session/api.ts';
import { OverdueLists, StaleList } from './ActionLists.tsx';
import { addMonths, lastDay, shanghaiDay, useEvaluation, useMonthIndicators, useTrend, type Trend } from './api.ts';
import { HeatTable } from './HeatTable.tsx';
import { RankingPanel } from './RankingPanel.tsx';
import { TrendPanel } from './TrendPanel.tsx';
import './governance.css';

const TREND_MONTHS = 12;

/**
 * 治理看板: the authority's view of the city (every department), or an officer's of their own
 * department — the same page, the server scoping what it answers. Finished months come from the
 * monthly snapshots; the month still running (and a month never snapshotted) is computed from
 * history up to today; the action lists are as of today.
 */
export function DashboardPage() {
  const { t } = useI18n();
  const me = useMe().data!;
  const cityView = me.abilities.getIndicators === 'any';
  const today = shanghaiDay(new Date());
  const current = today.slice(0, 7);
  // the month is kept in the address, so a link names what it shows; any month up to this one
  const [params, setParams] = useSearchParams();
  const asked = params.get('month');
  const month = asked && /^\d{4}-(0[1-9]|1[0-2])$/.test(asked) && asked <= current ? asked : addMonths(current, -1);
  const recent = Array.from({ length: TREND_MONTHS + 1 }, (_, i) => addMonths(current, -i));
  const choices = recent.includes(month) ? recent : [...recent, month];
  const setMonth = (m: string) => setParams({ month: m }, { replace: true });
  const months = Array.from({ length: TREND_MONTHS }, (_, i) => addMonths(month, i - TREND_MONTHS + 1));
  const trend = useTrend(months[0], month);
  const evaluation = useEvaluation(month);
  const snapshotted = trend.data?.items.some((p) => p.month === month) ?? false;
  const live = useMonthIndicators(month, trend.isSuccess && !snapshotted);
  // the month's figures joined to the trend: from its snapshot, or from history when it has none
  const points: Trend | undefined = useMemo(() => {
    if (!trend.data) return undefined;
    if (snapshotted || !live.data) return trend.data;
    const { city, departments } = live.data;
    const extra = [...(city ? [{ month, department: null, indicators: city }] : []), ...departments.map(({ department, ...indicators }) => ({ month, department, indicators }))];
    return { items: [...trend.data.items, ...extra] };
  }, [trend.data, live.data, snapshotted, month]);
  const asOf = month === current ? today : lastDay(month);
  const period = { from: `${month}-01`, to: asOf, as_of: asOf };
  const monthLabel = (m: string) => (m === current ? t('gov.monthToDate', { month: m }) : m);

  return (
    <>
      <h1 className="page-title">{t('gov.title')}</h1>
      <p>{cityView ? t('gov.lead.city') : t('gov.lead.own')}</p>
      <div className="chart-controls gov-toolbar">
        <Field label={t('gov.month')}>
          {(id) => <Select id={id} style={{ minWidth: 160 }} value={month} onChange={setMonth} options={choices.map((m) => ({ value: m, label: monthLabel(m) }))} />}
        </Field>
        <Space wrap role="group" aria-label={t('gov.export')}>
          <Button href={`/api/v1/indicators${queryString({ ...period, format: 'csv' })}`}>{t('gov.export.csv')}</Button>
          <Button href={`/api/v1/indicators${queryString({ ...period, format: 'xlsx' })}`}>{t('gov.export.xlsx')}</Button>
          <Button href={`/api/v1/evaluations${queryString({ month, format: 'xlsx' })}`}>{t('gov.export.evaluation')}</Button>
        </Space>
      </div>
      {trend.isError || live.isError ? (
        <ProblemAlert error={trend.error ?? live.error} onRetry={() => (trend.isError ? trend.refetch() : live.refetch())} />
      ) : !points || (!snapshotted && live.isPending) ? (
        <Loading rows={8} />
      ) : (
        <>
          {!snapshotted && <Alert className="gov-alert" type="info" showIcon message={t('gov.noSnapshot', { month, asOf })} />}
          <TrendPanel trend={points} months={months} cityView={cityView} />
          {evaluation.isError ? <ProblemAlert error={evaluation.error} onRetry={() => evaluation.refetch()} /> : <RankingPanel month={month} evaluation={evaluation.data} trend={points} />}
          <HeatTable month={month} trend={points} evaluation={evaluation.data} />
        </>
      )}
      <StaleList cityView={cityView} />
      <OverdueLists cityView={cityView} />
    </>
  );
}
