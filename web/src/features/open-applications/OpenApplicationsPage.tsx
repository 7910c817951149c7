import { Alert, Button, Checkbox, Descriptions, Empty, Form, Input, InputNumber, Select, Space, Switch, Table, Tag } from 'antd';
import { useState } from 'react';
import { Link } from 'react-router';
import { ProblemAlert } from '../../components/ProblemAlert.tsx';
import { Field } from '../../components/Field.tsx';
import { Loading } from '../../components/Loading.tsx';
import { useI18n } from '../../i18n/i18n.tsx';
import type { MessageKey } from '../../i18n/messages.ts';
import { may, useMe } from '../session/api.ts';
import { useAnswer, useApplication, useApplications, useNewKey, type Application, type ApproveTerms } from './api.ts';
import { atLeastOne, codes } from './schemaText.ts';

const STATES = ['provider_review', 'granted', 'refused', 'withdrawn'] as const;

/**
 * 开放数据申请 in the console: for the providing department's officer the applications to answer
 * (approve — possibly narrowed — or refuse), for a developer their own applications and how to read
 * what was approved. The list is the API's, scoped by the server to what the person may see.
 */
export function OpenApplicationsPage() {
  const { t } = useI18n();
  const me = useMe().data!;
  const answers = may(me, 'approveOpenApplication');
  const [state, setState] = useState<string | undefined>(answers ? 'provider_review' : undefined);
  const [overdue, setOverdue] = useState(false);
  const list = useApplications({ state, overdue });
  return (
    <>
      <h1 className="page-title">{t('openApps.listHeading')}</h1>
      <p>{answers ? t('openApps.listLeadOfficer') : t('openApps.listLeadDeveloper')}</p>
      {may(me, 'createDeveloperKey') && <NewKey />}
      <Space wrap className="panel" size="large">
        <Field label={t('openApps.filterState')}>
          {(id) => (
            <Select
              id={id}
              allowClear
              style={{ width: 160 }}
              value={state}
              onChange={(v) => setState(v)}
              options={STATES.map((s) => ({ value: s, label: t(`openApps.state.${s}` as MessageKey) }))}
            />
          )}
        </Field>
        <Field label={t('openApps.onlyOverdue')}>{(id) => <Switch id={id} checked={overdue} onChange={setOverdue} />}</Field>
      </Space>
      {list.isError ? (
        <ProblemAlert error={list.error} onRetry={() => list.refetch()} />
      ) : list.isPending ? (
        <Loading rows={6} />
      ) : list.data.items.length === 0 ? (
        <Empty description={t('openApps.empty')} />
      ) : (
        <ApplicationTable items={list.data.items} answers={answers} />
      )}
    </>
  );
}

function StateTag({ a }: { a: Application }) {
  const { t } = useI18n();
  const color = { provider_review: 'blue', granted: 'green', refused: 'red', withdrawn: 'default' }[a.state];
  return (
    <Space size={4} wrap>
      <Tag color={color}>{t(`openApps.state.${a.state}` as MessageKey)}</Tag>
      {a.overdue && <Tag color="red">{t('openApps.overdue')}</Tag>}
      {a.late && <Tag color="orange">{t('openApps.late')}</Tag>}
    </Space>
  );
}

function ApplicationTable({ items, answers }: { items: Application[]; answers: boolean }) {
  const { t, date, lang } = useI18n();
  const kinds = Object.fromEntries(codes('orgKind', lang).map((c) => [c.value, c.label]));
  return (
    // a region a keyboard can scroll on a narrow screen
    <div className="table-scroll" tabIndex={0} role="region" aria-label={t('openApps.listHeading')}>
      <Table<Application>
        size="small"
        rowKey="id"
        pagination={false}
        dataSource={items}
        expandable={{ expandedRowRender: (a) => <Detail a={a} answers={answers} />, defaultExpandedRowKeys: items.length === 1 ? [items[0].id] : [] }}
        columns={[
          { key: 'id', title: t('openApps.col.id'), dataIndex: 'id' },
          { key: 'dataset', title: t('openApps.col.dataset'), render: (_v, a) => <Link to={`/datasets/${encodeURIComponent(a.resource.code)}`}>{a.resource.name ?? a.resource.code}</Link> },
          {
            key: 'applicant',
            title: t('openApps.col.applicant'),
            render: (_v, a) => (
              <span>
                {a.application.organisation.name}
                <br />
                <small>
                  {kinds[a.application.organisation.kind]}
                  {a.application.organisation.uscc ? ` · ${a.application.organisation.uscc}` : ''}
                </small>
              </span>
            ),
          },
          { key: 'items', title: t('openApps.col.items'), render: (_v, a) => a.application.items.join(', ') },
          { key: 'submitted', title: t('openApps.col.submitted'), render: (_v, a) => date(a.submittedAt) },
          {
            key: 'due',
            title: t('openApps.col.due'),
            render: (_v, a) => (a.dueAt ? <span className={a.overdue ? 'overdue' : undefined}>{t('openApps.dueBy', { date: date(a.dueAt), days: a.limitDays ?? '' })}</span> : '—'),
          },
          { key: 'state', title: t('openApps.col.state'), render: (_v, a) => <StateTag a={a} /> },
        ]}
      />
    </div>
  );
}

/** One application: what was asked and why, then the answer (or the officer's form to give it). */
function Detail({ a, answers }: { a: Application; answers: boolean }) {
  const { t } = useI18n();
  const full = useApplication(a.id, a.state === 'granted');
  const doc = a.application;
  return (
    <div className="application-detail">
      <Descriptions size="small" column={1}>
        <Descriptions.Item label={t('openApps.purpose')}>{doc.purpose}</Descriptions.Item>
        <Descriptions.Item label={t('openApps.scenario')}>{doc.scenario}</Descriptions.Item>
        {doc.organisation.contact && (
          <Descriptions.Item label={t('openApps.contact')}>
            {doc.organisation.contact} {doc.organisation.mobile ?? ''}
          </Descriptions.Item>
        )}
        {a.reason && <Descriptions.Item label={t('openApps.reason')}>{a.reason}</Descriptions.Item>}
        {a.note && <Descriptions.Item label={t('openApps.note')}>{a.note}</Descriptions.Item>}
      </Descriptions>
      {a.state === 'granted' && full.data?.grant && <GrantTerms grant={full.data.grant} code={a.resource.code} />}
      {a.state === 'provider_review' && answers && <AnswerForms a={a} />}
      {a.state === 'provider_review' && !answers && <Withdraw id={a.id} />}
    </div>
  );
}

function GrantTerms({ grant, code }: { grant: NonNullable<ReturnType<typeof useApplication>['data']>['grant'] & object; code: string }) {
  const { t, date } = useI18n();
  const rows = (grant.rowFilter as { column: string; value: string | string[] }[] | null) ?? [];
  const url = `${window.location.origin}/api/v1/shared/${encodeURIComponent(code)}/${grant.mode === 'download' ? 'download' : 'rows'}?purpose=${encodeURIComponent('研究')}`;
  return (
    <>
      <Descriptions size="small" column={1} bordered>
        <Descriptions.Item label={t('openApps.grantedItems')}>
          {grant.items.map((i) => (
            <Tag key={i}>{i}</Tag>
          ))}
        </Descriptions.Item>
        <Descriptions.Item label={t('openApps.grantedRows')}>
          {rows.length ? rows.map((r) => `${r.column} ∈ {${([] as string[]).concat(r.value).join(', ')}}`).join('; ') : t('openApps.noFilter')}
        </Descriptions.Item>
        <Descriptions.Item label={t('openApps.grantedRate')}>{t('openApps.perMinute', { n: grant.rateLimit ?? '' })}</Descriptions.Item>
        <Descriptions.Item label={t('openApps.grantedUntil')}>{grant.endsAt ? date(grant.endsAt) : t('openApps.longTerm')}</Descriptions.Item>
        <Descriptions.Item label={t('openApps.grantStatus')}>
          <Tag color={grant.live ? 'green' : 'red'}>{grant.status}</Tag>
        </Descriptions.Item>
      </Descriptions>
      <h3>{t('openApps.howToRead')}</h3>
      <p>{t('openApps.howToReadText')}</p>
      <pre className="code-block">{`curl -H "Authorization: Bearer <API key>" \\\n  "${url}"`}</pre>
    </>
  );
}

interface ApproveValues {
  items: string[];
  column?: string;
  values?: string;
  period?: string;
  rateLimit?: number;
  note?: string;
}

function AnswerForms({ a }: { a: Application }) {
  const { t, lang } = useI18n();
  const answer = useAnswer();
  const [refusing, setRefusing] = useState(false);
  const [reason, setReason] = useState('');
  const asked = a.application.items;
  const approve = (v: ApproveValues) => {
    const body: ApproveTerms = { items: v.items };
    const values = (v.values ?? '').split(/[,，\s]+/).filter(Boolean);
    if (v.column && values.length) body.rowFilter = [{ column: v.column, op: 'in', value: values }];
    if (v.period) body.period = { kind: v.period as '30d' };
    if (v.rateLimit) body.rateLimit = v.rateLimit;
    if (v.note) body.note = v.note;
    answer.mutate({ id: a.id, step: 'approve', body });
  };
  if (answer.isSuccess) return <Alert type="success" showIcon role="status" message={t('openApps.done')} />;
  return (
    <div className="answer-forms">
      <h3>{t('openApps.approveHeading')}</h3>
      <Form<ApproveValues> layout="vertical" onFinish={approve} initialValues={{ items: asked }}>
        <Form.Item name="items" label={t('openApps.approveItems')} rules={[atLeastOne(t('openApps.pickItems'))]}>
          <Checkbox.Group options={asked.map((i) => ({ value: i, label: i }))} />
        </Form.Item>
        <Space wrap align="start">
          <Form.Item name="column" label={t('openApps.rowFilterColumn')}>
            <Select allowClear style={{ width: 180 }} placeholder={t('openApps.noFilter')} options={asked.map((i) => ({ value: i, label: i }))} />
          </Form.Item>
          <Form.Item name="values" label={t('openApps.rowFilterValues')}>
            <Input style={{ width: 260 }} />
          </Form.Item>
        </Space>
        <Space wrap align="start">
          <Form.Item name="period" label={t('openApps.approvePeriod')}>
            <Select allowClear style={{ width: 180 }} placeholder={t('openApps.asAsked')} options={codes('period', lang).filter((c) => c.value !== 'until')} />
          </Form.Item>
          <Form.Item name="rateLimit" label={t('openApps.approveRate')}>
            <InputNumber min={1} max={100000} placeholder={String(a.application.expectedCallRate ?? '')} style={{ width: 160 }} />
          </Form.Item>
        </Space>
        <Form.Item name="note" label={t('openApps.approveNote')}>
          <Input.TextArea rows={2} maxLength={2000} />
        </Form.Item>
        <Space wrap>
          <Button type="primary" htmlType="submit" loading={answer.isPending && answer.variables?.step === 'approve'}>
            {t('openApps.approve')}
          </Button>
          {/* antd's red on white is too faint to read (axe: color-contrast): a plain button, the reason form says what it does */}
          <Button onClick={() => setRefusing(true)}>
            {t('openApps.refuse')}
          </Button>
        </Space>
      </Form>
      {refusing && (
        <div style={{ marginTop: 12 }}>
          <Field label={t('openApps.refuseReason')}>{(id) => <Input.TextArea id={id} rows={2} value={reason} onChange={(e) => setReason(e.target.value)} />}</Field>
          <Button disabled={reason.trim().length < 2} onClick={() => answer.mutate({ id: a.id, step: 'refuse', body: { reason: reason.trim() } })}>
            {t('openApps.refuse')}
          </Button>
        </div>
      )}
      {answer.isError && <ProblemAlert error={answer.error} />}
    </div>
  );
}

function Withdraw({ id }: { id: number }) {
  const { t } = useI18n();
  const answer = useAnswer();
  return (
    <>
      <Button onClick={() => answer.mutate({ id, step: 'withdraw', body: {} })} loading={answer.isPending}>
        {t('openApps.withdraw')}
      </Button>
      {answer.isError && <ProblemAlert error={answer.error} />}
    </>
  );
}

/** A developer's further API key, its secret shown once (keys read what the account's grants allow). */
function NewKey() {
  const { t } = useI18n();
  const key = useNewKey();
  return (
    <div className="panel">
      <Button onClick={() => key.mutate()} loading={key.isPending}>
        {t('openApps.newKey')}
      </Button>
      {key.data && (
        <Alert
          style={{ marginTop: 8 }}
          type="success"
          role="status"
          message={t('openApps.keySecret')}
          description={<code className="key-secret">{key.data.secret}</code>}
        />
      )}
      {key.isError && <ProblemAlert error={key.error} />}
    </div>
  );
}
