import { Alert, Button, Checkbox, DatePicker, Input, InputNumber, Radio, Select, Space } from 'antd';
import { useState } from 'react';
import { useNavigate, useSearchParams } from 'react-router';
import type { Schema } from '../../api/types.ts';
import { Field } from '../../components/Field.tsx';
import { ProblemAlert } from '../../components/ProblemAlert.tsx';
import { useI18n } from '../../i18n/i18n.tsx';
import { useMe } from '../session/api.ts';
import { useCreateShareRequest, useOwnSystems, usePublishedResources, useResource } from './api.ts';
import { modeLabel, periodLabel } from './labels.ts';

type Doc = Schema<'ShareRequest'>;
const PERIODS = ['30d', '90d', '180d', 'long_term', 'until'] as const;
const MODES = ['query', 'download', 'verify'] as const;

/**
 * "Request this data" (共享申请): pick a published resource (or arrive from its catalogue page with
 * ?resource=id or ?code=…), the items, purpose, mode and period; the server validates the document
 * against catalog-schemas/share-request.schema.json and says what is wrong, item by item.
 */
export function RequestDataPage() {
  const { t } = useI18n();
  const me = useMe().data!;
  const navigate = useNavigate();
  const [params] = useSearchParams();
  const [search, setSearch] = useState(params.get('code') ?? '');
  const picked = usePublishedResources(search);
  const byCode = params.get('code') ? picked.data?.items.find((r) => r.code === params.get('code'))?.id : undefined;
  const [resourceId, setResourceId] = useState<number | undefined>(params.get('resource') ? Number(params.get('resource')) : undefined);
  const id = resourceId ?? byCode;
  const resource = useResource(id);
  const doc = resource.data?.published?.doc as { items: { name: string; label: string; shareType?: string }[]; shareType: string; shareCondition?: string } | undefined;
  const systems = useOwnSystems(me.departmentId);
  const create = useCreateShareRequest();

  const [items, setItems] = useState<string[] | null>(null);
  const [purpose, setPurpose] = useState('');
  const [scenario, setScenario] = useState('');
  const [legalBasis, setLegalBasis] = useState('');
  const [mode, setMode] = useState<(typeof MODES)[number]>('query');
  const [period, setPeriod] = useState<(typeof PERIODS)[number]>('90d');
  const [until, setUntil] = useState<string | null>(null);
  const [rate, setRate] = useState<number | null>(null);
  const [system, setSystem] = useState<number | undefined>(undefined);

  const chosen = items ?? doc?.items.map((i) => i.name) ?? [];
  const notShared = doc?.shareType === 'none';
  const submit = () => {
    if (!resource.data?.code) return;
    const body: Doc = {
      resourceCode: resource.data.code,
      items: chosen,
      purpose: purpose.trim(),
      scenario: scenario.trim(),
      accessMode: mode,
      period: period === 'until' ? { kind: 'until', until: until ?? '' } : { kind: period },
      ...(legalBasis.trim() ? { legalBasis: legalBasis.trim() } : {}),
      ...(rate ? { expectedCallRate: rate } : {}),
      ...(system ? { consumerSystem: system } : {}),
    } as Doc;
    create.mutate({ doc: body, dispute: notShared }, { onSuccess: (r) => navigate(`/console/sharing/requests/${r.id}?sent=1`) });
  };

  return (
    <>
      <h1 className="page-title">{t('sharing.request.title')}</h1>
      <p>{t('sharing.request.lead')}</p>
      <form
        className="console-form"
        onSubmit={(e) => {
          e.preventDefault();
          submit();
        }}
      >
        <Field label={t('sharing.request.resource')}>
          {(fid) => (
            <Select
              id={fid}
              showSearch
              filterOption={false}
              onSearch={setSearch}
              placeholder={t('sharing.request.pick')}
              value={id}
              onChange={(v: number) => {
                setResourceId(v);
                setItems(null);
              }}
              options={[
                ...(resource.data && !picked.data?.items.some((r) => r.id === resource.data!.id) ? [{ value: resource.data.id, label: `${resource.data.name}（${resource.data.code}）` }] : []),
                ...(picked.data?.items ?? []).map((r) => ({ value: r.id, label: `${r.name}（${r.code}）` })),
              ]}
              style={{ width: '100%' }}
            />
          )}
        </Field>
        <p className="hint">{t('sharing.request.fromPortal')}</p>
        {doc && (
          <>
            {notShared && <Alert type="warning" showIcon message={t('sharing.request.asDispute')} style={{ marginBottom: 12 }} />}
            {doc.shareCondition && <Alert type="info" message={doc.shareCondition} style={{ marginBottom: 12 }} />}
            <fieldset className="field">
              <legend>{t('sharing.request.items')}</legend>
              <Checkbox.Group value={chosen} onChange={(v) => setItems(v as string[])} options={doc.items.map((i) => ({ value: i.name, label: `${i.label}（${i.name}）` }))} />
            </fieldset>
            <Field label={t('sharing.request.purpose')}>{(fid) => <Input.TextArea id={fid} rows={2} value={purpose} onChange={(e) => setPurpose(e.target.value)} maxLength={2000} />}</Field>
            <Field label={t('sharing.request.scenario')}>{(fid) => <Input id={fid} value={scenario} onChange={(e) => setScenario(e.target.value)} maxLength={2000} />}</Field>
            <Field label={t('sharing.request.legalBasis')}>{(fid) => <Input id={fid} value={legalBasis} onChange={(e) => setLegalBasis(e.target.value)} maxLength={2000} />}</Field>
            <fieldset className="field">
              <legend>{t('sharing.request.mode')}</legend>
              <Radio.Group value={mode} onChange={(e) => setMode(e.target.value)} options={MODES.map((m) => ({ value: m, label: modeLabel(t, m) }))} />
            </fieldset>
            <Space wrap align="end">
              <Field label={t('sharing.request.period')}>
                {(fid) => <Select id={fid} style={{ minWidth: 160 }} value={period} onChange={setPeriod} options={PERIODS.map((p) => ({ value: p, label: periodLabel(t, { kind: p }) }))} />}
              </Field>
              {period === 'until' && <Field label={t('sharing.request.until')}>{(fid) => <DatePicker id={fid} onChange={(_d, s) => setUntil(typeof s === 'string' ? s : null)} />}</Field>}
              <Field label={t('sharing.request.rate')}>{(fid) => <InputNumber id={fid} min={1} max={100000} value={rate} onChange={(v) => setRate(v)} />}</Field>
              <Field label={t('sharing.request.system')}>
                {(fid) => (
                  <Select id={fid} allowClear style={{ minWidth: 220 }} value={system} onChange={setSystem} options={(systems.data?.items ?? []).map((s) => ({ value: s.id, label: s.name }))} />
                )}
              </Field>
            </Space>
            {create.isError && <ProblemAlert error={create.error} />}
            <div style={{ marginTop: 16 }}>
              <Button type="primary" htmlType="submit" loading={create.isPending} disabled={chosen.length === 0}>
                {t('sharing.request.submit')}
              </Button>
            </div>
          </>
        )}
      </form>
    </>
  );
}
