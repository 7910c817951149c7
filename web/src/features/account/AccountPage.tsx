import { App, Button, Card, Checkbox, Descriptions, Form, Input, Popconfirm, Table, Tag } from 'antd';
import { useState } from 'react';
import { useNavigate } from 'react-router';
import type { Schema } from '../../api/types.ts';
import { placeFieldErrors } from '../../components/fieldErrors.ts';
import { Loading } from '../../components/Loading.tsx';
import { ProblemAlert } from '../../components/ProblemAlert.tsx';
import { SecretOnce } from '../../components/SecretOnce.tsx';
import { TokenTable } from '../../components/TokenTable.tsx';
import { formatDateTime } from '../../i18n/format.ts';
import { useI18n } from '../../i18n/i18n.tsx';
import type { MessageKey } from '../../i18n/messages.ts';
import { useDepartmentName } from '../console/api.ts';
import { useMe, type Me } from '../session/api.ts';
import { useChangePassword, useCreateToken, useEndSession, useRevokeToken, useSessions, useSignOutEverywhere, useTokens, type SessionRow } from './api.ts';

/** 我的账号: who you are, your password, your sessions and your API tokens. */
export function AccountPage() {
  const { t } = useI18n();
  const me = useMe().data!;
  return (
    <>
      <h1 className="page-title">{t('account.title')}</h1>
      <Profile me={me} />
      <PasswordForm />
      <Sessions />
      {me.kind === 'user' && <Tokens me={me} />}
    </>
  );
}

function Profile({ me }: { me: Me }) {
  const { t } = useI18n();
  const department = useDepartmentName(me.departmentId);
  return (
    <Card title={<h2 className="card-title">{t('account.profile')}</h2>} className="account-card">
      <Descriptions size="small" column={1}>
        <Descriptions.Item label={t('account.name')}>{me.displayName}</Descriptions.Item>
        <Descriptions.Item label={t('account.login')}>
          <code>{me.login}</code>
        </Descriptions.Item>
        <Descriptions.Item label={t('console.department')}>{me.departmentId === null ? t('console.noDepartment') : (department ?? '…')}</Descriptions.Item>
        <Descriptions.Item label={t('console.roles')}>
          {me.roles.map((r) => (
            <Tag key={r}>{t(`role.${r}` as MessageKey)}</Tag>
          ))}
        </Descriptions.Item>
      </Descriptions>
    </Card>
  );
}

const PASSWORD_FIELDS = ['current', 'new'] as const;

function PasswordForm() {
  const { t } = useI18n();
  const { message } = App.useApp();
  const [form] = Form.useForm();
  const change = useChangePassword();
  const onFinish = (v: { current: string; new: string }) =>
    change.mutate(
      { current: v.current, new: v.new },
      {
        onSuccess: () => {
          form.resetFields();
          void message.success(t('account.passwordChanged'));
        },
        onError: (err) => placeFieldErrors(form, err, PASSWORD_FIELDS),
      },
    );
  // an error placed at a field is shown there; any other (a lock, the network) above the form
  const shownAtField = change.isError && form.getFieldsError().some((f) => f.errors.length > 0);
  return (
    <Card title={<h2 className="card-title">{t('account.password')}</h2>} className="account-card">
      <p className="hint">{t('account.passwordRules')}</p>
      {change.isError && !shownAtField && <ProblemAlert error={change.error} />}
      <Form form={form} layout="vertical" onFinish={onFinish} requiredMark={false} disabled={change.isPending} style={{ maxWidth: 420 }}>
        <Form.Item name="current" label={t('account.current')} rules={[{ required: true, message: t('session.required', { field: t('account.current') }) }]}>
          <Input.Password autoComplete="current-password" />
        </Form.Item>
        <Form.Item name="new" label={t('account.new')} rules={[{ required: true, message: t('session.required', { field: t('account.new') }) }]}>
          <Input.Password autoComplete="new-password" />
        </Form.Item>
        <Form.Item
          name="confirm"
          label={t('account.confirm')}
          dependencies={['new']}
          rules={[
            { required: true, message: t('session.required', { field: t('account.confirm') }) },
            ({ getFieldValue }) => ({ validator: (_, v) => (!v || v === getFieldValue('new') ? Promise.resolve() : Promise.reject(new Error(t('account.mismatch')))) }),
          ]}
        >
          <Input.Password autoComplete="new-password" />
        </Form.Item>
        <Button type="primary" htmlType="submit" loading={change.isPending}>
          {t('account.changePassword')}
        </Button>
      </Form>
    </Card>
  );
}

function Sessions() {
  const { t } = useI18n();
  const sessions = useSessions();
  const end = useEndSession();
  const everywhere = useSignOutEverywhere();
  const navigate = useNavigate();
  const columns = [
    { title: t('account.session.method'), dataIndex: 'method', render: (m: string) => t(m === 'oidc' ? 'account.session.oidc' : 'account.session.password') },
    { title: t('account.session.created'), dataIndex: 'createdAt', render: (v: string) => formatDateTime(v) },
    { title: t('account.session.lastSeen'), dataIndex: 'lastSeenAt', render: (v: string) => formatDateTime(v) },
    { title: t('account.session.address'), dataIndex: 'address', render: (v: string | null) => v ?? '—' },
    { title: t('account.session.browser'), dataIndex: 'userAgent', render: (v: string | null) => <span className="user-agent">{v ? browserName(v) : '—'}</span> },
    {
      title: t('account.actions'),
      key: 'end',
      render: (_: unknown, s: SessionRow) =>
        s.current ? (
          <Tag color="blue">{t('account.session.current')}</Tag>
        ) : (
          <Button size="small" onClick={() => end.mutate(s.id)} loading={end.isPending && end.variables === s.id} aria-label={t('account.session.endLabel', { when: formatDateTime(s.createdAt) })}>
            {t('account.session.end')}
          </Button>
        ),
    },
  ];
  return (
    <Card
      title={<h2 className="card-title">{t('account.sessions')}</h2>}
      className="account-card"
      extra={
        <Popconfirm title={t('account.everywhereConfirm')} okText={t('account.everywhere')} cancelText={t('account.cancel')} onConfirm={() => everywhere.mutate(undefined, { onSuccess: () => navigate('/sign-in', { replace: true }) })}>
          <Button danger>{t('account.everywhere')}</Button>
        </Popconfirm>
      }
    >
      <p className="hint">{t('account.sessionsLead')}</p>
      {(end.isError || everywhere.isError) && <ProblemAlert error={end.error ?? everywhere.error} />}
      {sessions.isPending ? (
        <Loading rows={2} />
      ) : sessions.isError ? (
        <ProblemAlert error={sessions.error} onRetry={() => sessions.refetch()} />
      ) : (
        <Table<SessionRow> rowKey="id" size="small" pagination={false} scroll={{ x: 'max-content' }} columns={columns} dataSource={sessions.data.items} />
      )}
    </Card>
  );
}

/** A browser's family and system from its User-Agent, enough to tell one's devices apart. */
function browserName(ua: string): string {
  const browser = /Edg\//.test(ua) ? 'Edge' : /Firefox\//.test(ua) ? 'Firefox' : /Chrom(e|ium)\//.test(ua) ? 'Chrome' : /Safari\//.test(ua) ? 'Safari' : null;
  const system = /Windows/.test(ua) ? 'Windows' : /Android/.test(ua) ? 'Android' : /iPhone|iPad/.test(ua) ? 'iOS' : /Mac OS X/.test(ua) ? 'macOS' : /Linux/.test(ua) ? 'Linux' : null;
  return browser || system ? [browser, system].filter(Boolean).join(' · ') : ua.slice(0, 40);
}

function Tokens({ me }: { me: Me }) {
  const { t } = useI18n();
  const tokens = useTokens(me.id);
  const create = useCreateToken();
  const revoke = useRevokeToken();
  const [form] = Form.useForm();
  const [created, setCreated] = useState<Schema<'TokenWithSecret'> | null>(null);
  const mayWrite = me.scopes.includes('write');
  const onFinish = (v: { name: string; write: boolean }) =>
    create.mutate(
      { name: v.name, scopes: v.write ? ['read', 'write'] : ['read'], expiresInDays: 365 },
      {
        onSuccess: (token) => {
          setCreated(token);
          form.resetFields();
        },
      },
    );
  return (
    <Card title={<h2 className="card-title">{t('account.tokens')}</h2>} className="account-card">
      <p className="hint">{t('account.tokensLead')}</p>
      {created && <SecretOnce label={t('account.token.secretOf', { name: created.name })} secret={created.secret} />}
      {(create.isError || revoke.isError) && <ProblemAlert error={create.error ?? revoke.error} />}
      {mayWrite && (
        <Form form={form} layout="inline" onFinish={onFinish} requiredMark={false} className="token-form" initialValues={{ write: false }}>
          <Form.Item name="name" label={t('account.token.name')} rules={[{ required: true, message: t('session.required', { field: t('account.token.name') }) }]}>
            <Input maxLength={100} />
          </Form.Item>
          <Form.Item name="write" valuePropName="checked">
            <Checkbox>{t('account.token.write')}</Checkbox>
          </Form.Item>
          <Button htmlType="submit" loading={create.isPending}>
            {t('account.token.create')}
          </Button>
        </Form>
      )}
      {tokens.isPending ? (
        <Loading rows={2} />
      ) : tokens.isError ? (
        <ProblemAlert error={tokens.error} onRetry={() => tokens.refetch()} />
      ) : (
        <TokenTable label={t('account.tokens')} tokens={tokens.data.items} showScopes inUseId={me.tokenId} onRevoke={(k) => revoke.mutate(k.id)} revoking={revoke.isPending ? revoke.variables : null} />
      )}
    </Card>
  );
}
