import { Alert, Button, Checkbox, DatePicker, Input, InputNumber, Select, Space } from 'antd';
import { useState } from 'react';
import { Link, useParams } from 'react-router';
import { Field } from '../../components/Field.tsx';
import { Loading } from '../../components/Loading.tsx';
import { ProblemAlert } from '../../components/ProblemAlert.tsx';
import { useI18n } from '../../i18n/i18n.tsx';
import { useResource, useShareRequest, useShareStep } from '../sharing/api.ts';
import { periodLabel, stateLabel } from '../sharing/labels.ts';
import { RequestSummary } from '../sharing/RequestSummary.tsx';

type CatalogItem = { name: string; label: string; mask?: string; sensitivity?: string };
const PERIODS = ['', '30d', '90d', '180d', 'long_term', 'until'] as const;

/**
 * The provider's officer answers a share request: approve as asked or narrower — fewer items, rows
 * whose item takes some values, a shorter period, a lower rate, named masked items raw — or refuse
 * with the reason. The server checks that a decision only narrows (docs/sharing.md) and says why not.
 */
export function AnswerShareRequestPage() {
  const { t } = useI18n();
  const id = Number(useParams().id);
  const q = useShareRequest(id);
  const resource = useResource(q.data?.resource.id);
  const step = useShareStep();
  const [items, setItems] = useState<string[] | null>(null);
  const [rowColumn, setRowColumn] = useState<string | undefined>();
  const [rowValues, setRowValues] = useState('');
  const [period, setPeriod] = useState<(typeof PERIODS)[number]>('');
  const [until, setUntil] = useState<string | null>(null);
  const [rate, setRate] = useState<number | null>(null);
  const [raw, setRaw] = useState<string[]>([]);
  const [note, setNote] = useState('');
  const [reason, setReason] = useState('');

  if (q.isError) return <ProblemAlert error={q.error} onRetry={() => q.refetch()} />;
  if (!q.data) return <Loading />;
  const r = q.data;
  const asked = (r.request as { items: string[] }).items;
  const chosen = items ?? asked;
  const catalog = ((resource.data?.published?.doc as { items?: CatalogItem[] } | undefined)?.items ?? []).filter((i) => asked.includes(i.name));
  const labelOf = (name: string) => catalog.find((i) => i.name === name)?.label ?? name;
  const maskable = catalog.filter((i) => chosen.includes(i.name) && (i.mask || i.sensitivity === 'personal'));
  const waiting = r.state === 'provider_review';

  const approve = () => {
    const values = rowValues
      .split(/[,，、\s]+/)
      .map((v) => v.trim())
      .filter(Boolean);
    step.mutate({
      id,
      step: 'approve',
      body: {
        ...(chosen.length < asked.length ? { items: chosen } : {}),
        ...(rowColumn && values.length ? { rowFilter: [values.length === 1 ? { column: rowColumn, op: 'eq', value: values[0] } : { column: rowColumn, op: 'in', value: values }] } : {}),
        ...(period ? { period: period === 'until' ? { kind: 'until', until } : { kind: period } } : {}),
        ...(rate ? { rateLimit: rate } : {}),
        ...(raw.filter((n) => chosen.includes(n)).length ? { raw: raw.filter((n) => chosen.includes(n)) } : {}),
        ...(note.trim() ? { note: note.trim() } : {}),
      },
    });
  };

  return (
    <>
      <h1 className="page-title">{t('work.answer.title', { id: r.id })}</h1>
      <p>
        <Link to="/console/inbox">{t('work.answer.back')}</Link>
      </p>
      {step.isSuccess && <Alert type="success" showIcon role="status" message={t('work.answer.done', { state: stateLabel(t, step.data.state) })} style={{ marginBottom: 12 }} />}
      {!waiting && !step.isSuccess && <Alert type="info" showIcon message={t('work.answer.closed')} style={{ marginBottom: 12 }} />}
      <RequestSummary r={r} />
      {step.isError && <ProblemAlert error={step.error} />}
      {waiting && (
        <>
          <section className="panel" aria-labelledby="terms-title">
            <h2 id="terms-title">{t('work.answer.terms')}</h2>
            <p>{t('work.answer.lead')}</p>
            <fieldset className="field">
              <legend>{t('work.answer.items')}</legend>
              <Checkbox.Group value={chosen} onChange={(v) => setItems(v as string[])} options={asked.map((n) => ({ value: n, label: `${labelOf(n)}（${n}）` }))} />
            </fieldset>
            <fieldset className="field">
              <legend>{t('work.answer.rows')}</legend>
              <Space wrap align="end">
                <Field label={t('work.answer.rowColumn')}>
                  {(fid) => <Select id={fid} allowClear style={{ minWidth: 180 }} value={rowColumn} onChange={setRowColumn} options={chosen.map((n) => ({ value: n, label: labelOf(n) }))} />}
                </Field>
                <Field label={t('work.answer.rowValues')}>{(fid) => <Input id={fid} style={{ width: 280 }} value={rowValues} onChange={(e) => setRowValues(e.target.value)} />}</Field>
              </Space>
            </fieldset>
            <Space wrap align="end">
              <Field label={t('work.answer.period')}>
                {(fid) => (
                  <Select id={fid} style={{ minWidth: 160 }} value={period} onChange={setPeriod} options={PERIODS.map((p) => ({ value: p, label: p ? periodLabel(t, { kind: p }) : t('work.answer.asAsked') }))} />
                )}
              </Field>
              {period === 'until' && <Field label={t('sharing.request.until')}>{(fid) => <DatePicker id={fid} onChange={(_d, s) => setUntil(typeof s === 'string' ? s : null)} />}</Field>}
              <Field label={t('work.answer.rate')}>{(fid) => <InputNumber id={fid} min={1} max={100000} value={rate} onChange={setRate} />}</Field>
            </Space>
            {maskable.length > 0 && (
              <fieldset className="field">
                <legend>{t('work.answer.raw')}</legend>
                <Checkbox.Group value={raw} onChange={(v) => setRaw(v as string[])} options={maskable.map((i) => ({ value: i.name, label: i.label }))} />
              </fieldset>
            )}
            <Field label={t('work.answer.note')}>{(fid) => <Input id={fid} value={note} onChange={(e) => setNote(e.target.value)} maxLength={2000} />}</Field>
            <Button type="primary" onClick={approve} loading={step.isPending && step.variables?.step === 'approve'} disabled={chosen.length === 0}>
              {t('work.answer.approve')}
            </Button>
          </section>
          <section className="panel" aria-labelledby="refuse-title">
            <h2 id="refuse-title">{t('work.answer.refuse')}</h2>
            <Field label={t('work.answer.refuseReason')}>{(fid) => <Input.TextArea id={fid} rows={3} value={reason} onChange={(e) => setReason(e.target.value)} maxLength={2000} />}</Field>
            <Button danger onClick={() => step.mutate({ id, step: 'refuse', body: { reason: reason.trim() } })} loading={step.isPending && step.variables?.step === 'refuse'} disabled={reason.trim().length < 2}>
              {t('work.answer.refuse')}
            </Button>
          </section>
        </>
      )}
    </>
  );
}
