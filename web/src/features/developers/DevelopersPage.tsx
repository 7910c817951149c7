import { Alert, Button, Card, Descriptions, Form, Input, Segmented, Table } from 'antd';
import { useState } from 'react';
import { Link } from 'react-router';
import type { Schema } from '../../api/types.ts';
import { placeFieldErrors } from '../../components/fieldErrors.ts';
import { Loading } from '../../components/Loading.tsx';
import { ProblemAlert } from '../../components/ProblemAlert.tsx';
import { SecretOnce } from '../../components/SecretOnce.tsx';
import { TokenTable } from '../../components/TokenTable.tsx';
import { formatNumber } from '../../i18n/format.ts';
import { useI18n } from '../../i18n/i18n.tsx';
import { may, useMe, useSignIn } from '../session/api.ts';
import { useCreateKey, useDeveloperKeys, useRevokeKey, useSignUp, useUsage, type Usage } from './api.ts';

/** 开发者中心: sign up, then keys and one's own usage of the open data API. */
export function DevelopersPage() {
  const { t } = useI18n();
  const me = useMe();
  const [signedUp, setSignedUp] = useState<Schema<'DeveloperSignedUp'> | null>(null);
  const developer = may(me.data, 'listDeveloperKeys');
  return (
    <div className="developers">
      <h1 className="page-title">{t('dev.title')}</h1>
      <p>{t('dev.lead')}</p>
      {me.isPending ? (
        <Loading />
      ) : signedUp || developer ? (
        <>
          {signedUp && <SignedUp result={signedUp} />}
          {developer ? <Keys /> : <Alert type="info" showIcon message={t('dev.signInToManage')} />}
          {developer && <UsageView />}
        </>
      ) : me.data ? (
        <Alert type="info" showIcon message={t('dev.staff')} description={<Link to="/console/account">{t('dev.staffLink')}</Link>} />
      ) : (
        <div className="developer-start">
          <SignUp onDone={setSignedUp} />
          <Card title={<h2 className="card-title">{t('dev.haveAccount')}</h2>}>
            <p>{t('dev.haveAccountLead')}</p>
            <Link to="/sign-in?next=%2Fdevelopers">
              <Button>{t('session.signIn')}</Button>
            </Link>
          </Card>
        </div>
      )}
      <Card title={<h2 className="card-title">{t('dev.howTo')}</h2>} className="account-card">
        <ol className="how-to">
          <li>{t('dev.how1')}</li>
          <li>
            {t('dev.how2')} <code>Authorization: Bearer odx_…</code>
          </li>
          <li>
            {t('dev.how3')} <a href="/docs/api">{t('nav.apiDocs')}</a>
          </li>
        </ol>
      </Card>
    </div>
  );
}

const SIGNUP_FIELDS = ['email', 'name', 'purpose', 'password'] as const;

function SignUp({ onDone }: { onDone: (r: Schema<'DeveloperSignedUp'>) => void }) {
  const { t } = useI18n();
  const [form] = Form.useForm();
  const signUp = useSignUp();
  const signIn = useSignIn();
  const onFinish = (v: { email: string; name?: string; purpose?: string; password: string }) =>
    signUp.mutate(
      { email: v.email, name: v.name || undefined, purpose: v.purpose || undefined, password: v.password },
      {
        // signed up with a password: signed in at once, so the keys can be managed here
        onSuccess: (r) => signIn.mutate({ login: v.email, password: v.password }, { onSettled: () => onDone(r) }),
        onError: (err) => placeFieldErrors(form, err, SIGNUP_FIELDS),
      },
    );
  const shownAtField = signUp.isError && form.getFieldsError().some((f) => f.errors.length > 0);
  return (
    <Card title={<h2 className="card-title">{t('dev.signUp')}</h2>}>
      <p className="hint">{t('dev.signUpLead')}</p>
      {signUp.isError && !shownAtField && <ProblemAlert error={signUp.error} />}
      <Form form={form} layout="vertical" onFinish={onFinish} requiredMark={false} disabled={signUp.isPending || signIn.isPending}>
        <Form.Item name="email" label={t('dev.email')} rules={[{ required: true, type: 'email', message: t('dev.emailBad') }]}>
          <Input autoComplete="email" inputMode="email" />
        </Form.Item>
        <Form.Item name="name" label={t('dev.name')}>
          <Input autoComplete="name" maxLength={100} />
        </Form.Item>
        <Form.Item name="purpose" label={t('dev.purpose')}>
          <Input.TextArea maxLength={500} rows={2} />
        </Form.Item>
        <Form.Item name="password" label={t('session.password')} extra={t('account.passwordRules')} rules={[{ required: true, message: t('session.required', { field: t('session.password') }) }]}>
          <Input.Password autoComplete="new-password" />
        </Form.Item>
        <Button type="primary" htmlType="submit" loading={signUp.isPending || signIn.isPending}>
          {t('dev.signUpSubmit')}
        </Button>
      </Form>
    </Card>
  );
}

function SignedUp({ result }: { result: Schema<'DeveloperSignedUp'> }) {
  const { t } = useI18n();
  return (
    <Card title={<h2 className="card-title">{t('dev.welcome', { name: result.account.displayName })}</h2>} className="account-card">
      <p>{t('dev.welcomeLead')}</p>
      <SecretOnce label={t('dev.keyOf', { name: result.key.name })} secret={result.key.secret} />
      <p className="hint">{t('dev.accountTokenLead')}</p>
      <SecretOnce label={t('dev.accountToken')} secret={result.token.secret} />
    </Card>
  );
}

function Keys() {
  const { t } = useI18n();
  const keys = useDeveloperKeys(true);
  const create = useCreateKey();
  const revoke = useRevokeKey();
  const [form] = Form.useForm();
  return (
    <Card title={<h2 className="card-title">{t('dev.keys')}</h2>} className="account-card">
      <p className="hint">{t('dev.keysLead')}</p>
      {create.data && <SecretOnce label={t('dev.keyOf', { name: create.data.name })} secret={create.data.secret} />}
      {(create.isError || revoke.isError) && <ProblemAlert error={create.error ?? revoke.error} />}
      <Form form={form} layout="inline" requiredMark={false} className="token-form" onFinish={(v: { name: string }) => create.mutate(v.name, { onSuccess: () => form.resetFields() })}>
        <Form.Item name="name" label={t('dev.keyName')} rules={[{ required: true, message: t('session.required', { field: t('dev.keyName') }) }]}>
          <Input maxLength={100} />
        </Form.Item>
        <Button type="primary" htmlType="submit" loading={create.isPending}>
          {t('dev.createKey')}
        </Button>
      </Form>
      {keys.isPending ? (
        <Loading rows={2} />
      ) : keys.isError ? (
        <ProblemAlert error={keys.error} onRetry={() => keys.refetch()} />
      ) : (
        <TokenTable label={t('dev.keys')} tokens={keys.data.items} onRevoke={(k) => revoke.mutate(k.id)} revoking={revoke.isPending ? revoke.variables : null} />
      )}
    </Card>
  );
}

function UsageView() {
  const { t, lang } = useI18n();
  const [days, setDays] = useState(30);
  const usage = useUsage(days, true);
  return (
    <Card title={<h2 className="card-title">{t('dev.usage')}</h2>} className="account-card">
      <p className="hint">{t('dev.usageLead')}</p>
      {/* in the body, not the card's header: on a phone the header has no room beside the title */}
      <Segmented aria-label={t('dev.range')} value={days} onChange={(v) => setDays(Number(v))} options={[7, 30, 90].map((d) => ({ value: d, label: t('dev.days', { n: d }) }))} />
      {usage.isPending ? (
        <Loading rows={3} />
      ) : usage.isError ? (
        <ProblemAlert error={usage.error} onRetry={() => usage.refetch()} />
      ) : (
        <UsageTables usage={usage.data} lang={lang} />
      )}
    </Card>
  );
}

function UsageTables({ usage, lang }: { usage: Usage; lang: 'zh' | 'en' }) {
  const { t } = useI18n();
  const n = (v: number) => formatNumber(v, lang);
  const rl = usage.rateLimit;
  const busiest = Math.max(1, ...usage.byDay.map((d) => d.calls));
  return (
    <>
      <h3 className="usage-heading">{t('dev.rateLimit')}</h3>
      <Descriptions size="small" column={{ xs: 1, sm: 2, md: 4 }} className="rate-state">
        <Descriptions.Item label={t('dev.limit')}>{rl.limit === 0 ? t('dev.noLimit') : t('dev.perWindow', { n: n(rl.limit), s: rl.windowSeconds })}</Descriptions.Item>
        <Descriptions.Item label={t('dev.used')}>{n(rl.used)}</Descriptions.Item>
        <Descriptions.Item label={t('dev.remaining')}>{rl.limit === 0 ? '—' : n(rl.remaining)}</Descriptions.Item>
        <Descriptions.Item label={t('dev.reset')}>{t('dev.seconds', { n: rl.resetSeconds })}</Descriptions.Item>
      </Descriptions>
      <p className="hint">{t('dev.usedNote')}</p>
      <p className="usage-total">{t('dev.total', { from: usage.from, to: usage.to, n: n(usage.total) })}</p>
      <h3 className="usage-heading">{t('dev.byDataset')}</h3>
      <Table
        rowKey={(r) => r.code ?? 'gone'}
        size="small"
        pagination={false}
        scroll={{ x: 'max-content' }}
        dataSource={usage.byDataset}
        locale={{ emptyText: <span className="table-empty">{t('dev.noCalls')}</span> }}
        columns={[
          { title: t('dev.dataset'), key: 'name', render: (_: unknown, r: Usage['byDataset'][number]) => (r.code ? <Link to={`/datasets/${encodeURIComponent(r.code)}`}>{r.name ?? r.code}</Link> : t('dev.gone')) },
          { title: t('dev.calls'), dataIndex: 'calls', align: 'right' as const, render: n },
          { title: t('dev.rows'), dataIndex: 'rows', align: 'right' as const, render: n },
        ]}
      />
      <h3 className="usage-heading">{t('dev.byDay')}</h3>
      {/* the days with calls; a bar drawn in CSS shows the shape without loading a chart library */}
      <Table
        rowKey="day"
        size="small"
        pagination={false}
        scroll={{ x: 'max-content' }}
        dataSource={usage.byDay.filter((d) => d.calls > 0).reverse()}
        locale={{ emptyText: <span className="table-empty">{t('dev.noCalls')}</span> }}
        columns={[
          { title: t('dev.day'), dataIndex: 'day' },
          { title: t('dev.calls'), dataIndex: 'calls', align: 'right' as const, render: n },
          { title: t('dev.rows'), dataIndex: 'rows', align: 'right' as const, render: n },
          { title: '', key: 'bar', render: (_: unknown, d: Usage['byDay'][number]) => <span className="usage-bar" aria-hidden="true" style={{ width: `${Math.round((d.calls / busiest) * 120)}px` }} /> },
        ]}
      />
      <h3 className="usage-heading">{t('dev.byKey')}</h3>
      <Table
        rowKey="id"
        size="small"
        pagination={false}
        dataSource={usage.byKey}
        locale={{ emptyText: <span className="table-empty">{t('dev.noCalls')}</span> }}
        columns={[
          { title: t('account.token.name'), key: 'name', render: (_: unknown, k: Usage['byKey'][number]) => (k.name ?? `#${k.id}`) },
          { title: t('account.token.prefix'), dataIndex: 'prefix', render: (p: string | null) => (p ? <code>{p}…</code> : '—') },
          { title: t('dev.calls'), dataIndex: 'calls', align: 'right' as const, render: n },
        ]}
      />
    </>
  );
}
