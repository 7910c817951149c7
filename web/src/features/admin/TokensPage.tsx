import { Button, Checkbox, Form, Input, InputNumber, Select } from 'antd';
import { useMemo, useState } from 'react';
import type { Schema } from '../../api/types.ts';
import { Field } from '../../components/Field.tsx';
import { placeFieldErrors } from '../../components/fieldErrors.ts';
import { Loading } from '../../components/Loading.tsx';
import { ProblemAlert } from '../../components/ProblemAlert.tsx';
import { SecretOnce } from '../../components/SecretOnce.tsx';
import { isActive, TokenTable } from '../../components/TokenTable.tsx';
import { useI18n } from '../../i18n/i18n.tsx';
import { may, useMe, type Me } from '../session/api.ts';
import { useAllTokens, useCreateTokenFor, usePrincipals, useRevokeAnyToken } from './api.ts';

/** 令牌: every token the caller's reach covers (an administrator all, an officer the department's), a new one for an account, revoke. */
export function TokensPage() {
  const { t, number } = useI18n();
  const me = useMe().data!;
  const tokens = useAllTokens();
  const revoke = useRevokeAnyToken();
  const [account, setAccount] = useState<number | undefined>();
  const [inactive, setInactive] = useState(false);
  const everyone = me.abilities.listTokens === 'any';
  const shown = useMemo(
    () => (tokens.data?.items ?? []).filter((k) => (account === undefined || k.principalId === account) && (inactive || isActive(k))).sort((a, b) => b.id - a.id),
    [tokens.data, account, inactive],
  );
  const accounts = useMemo(() => {
    const byId = new Map((tokens.data?.items ?? []).map((k) => [k.principalId, k.login]));
    return [...byId].sort((a, b) => a[1].localeCompare(b[1])).map(([value, label]) => ({ value, label }));
  }, [tokens.data]);
  return (
    <>
      <h1 className="page-title">{t('admin.tok.title')}</h1>
      <p>{t(everyone ? 'admin.tok.lead' : 'admin.tok.leadOfficer')}</p>
      {may(me, 'createToken') && <CreateToken me={me} />}
      <section className="panel">
        <div className="admin-filters">
          <Field label={t('admin.tok.filterAccount')}>
            {(id) => <Select id={id} allowClear showSearch optionFilterProp="label" placeholder={t('admin.tok.allAccounts')} style={{ minWidth: 220 }} value={account} onChange={setAccount} options={accounts} />}
          </Field>
          <Checkbox checked={inactive} onChange={(e) => setInactive(e.target.checked)} className="admin-filters-action">
            {t('admin.tok.showInactive')}
          </Checkbox>
        </div>
        {revoke.isError && <ProblemAlert error={revoke.error} />}
        {tokens.isPending ? (
          <Loading rows={4} />
        ) : tokens.isError ? (
          <ProblemAlert error={tokens.error} onRetry={() => tokens.refetch()} />
        ) : (
          <>
            <p className="hint" aria-live="polite">
              {t('admin.tok.count', { n: number(shown.length) })}
            </p>
            <TokenTable label={t('admin.tok.title')} tokens={shown} showAccount showScopes inUseId={me.tokenId} onRevoke={(k) => revoke.mutate(k.id)} revoking={revoke.isPending ? revoke.variables : null} />
          </>
        )}
      </section>
    </>
  );
}

const FIELDS = ['principalId', 'name', 'expiresInDays', 'scopes'] as const;

/** A new token: for any account when the caller may (createToken with reach `any`), else for themselves. */
function CreateToken({ me }: { me: Me }) {
  const { t } = useI18n();
  const forOthers = me.abilities.createToken === 'any';
  const people = usePrincipals();
  const create = useCreateTokenFor();
  const [form] = Form.useForm();
  const [created, setCreated] = useState<Schema<'TokenWithSecret'> | null>(null);
  const options = forOthers
    ? (people.data?.items ?? []).filter((p) => !p.disabledAt).map((p) => ({ value: p.id, label: `${p.displayName} (${p.login})` }))
    : [{ value: me.id, label: `${me.displayName} (${me.login})` }];
  const onFinish = (v: { principalId: number; name: string; write: boolean; expiresInDays?: number | null }) =>
    create.mutate(
      { principalId: v.principalId, name: v.name.trim(), scopes: v.write ? ['read', 'write'] : ['read'], ...(v.expiresInDays ? { expiresInDays: v.expiresInDays } : {}) },
      {
        onSuccess: (token) => {
          setCreated(token);
          form.resetFields(['name', 'write', 'expiresInDays']);
        },
        onError: (err) => placeFieldErrors(form, err, FIELDS),
      },
    );
  const shownAtField = create.isError && form.getFieldsError().some((f) => f.errors.length > 0);
  return (
    <section className="panel">
      <h2>{t(forOthers ? 'admin.tok.create' : 'admin.tok.createSelf')}</h2>
      {created && <SecretOnce label={t('admin.tok.secretOf', { name: created.name, login: created.login })} secret={created.secret} />}
      {create.isError && !shownAtField && <ProblemAlert error={create.error} />}
      <Form form={form} layout="vertical" requiredMark={false} onFinish={onFinish} className="admin-token-form" initialValues={{ principalId: forOthers ? undefined : me.id, write: false }} disabled={create.isPending}>
        {/* a validator, not `required`: antd would put aria-required on the Select's wrapper, which axe refuses */}
        <Form.Item name="principalId" label={t('admin.tok.account')} rules={[{ validator: (_, v) => (v ? Promise.resolve() : Promise.reject(new Error(t('session.required', { field: t('admin.tok.account') })))) }]}>
          <Select showSearch optionFilterProp="label" disabled={!forOthers} options={options} style={{ minWidth: 240 }} />
        </Form.Item>
        <Form.Item name="name" label={t('account.token.name')} rules={[{ required: true, whitespace: true, message: t('session.required', { field: t('account.token.name') }) }]}>
          <Input maxLength={100} />
        </Form.Item>
        <Form.Item name="expiresInDays" label={t('admin.tok.days')}>
          <InputNumber min={1} max={3650} precision={0} placeholder={t('admin.tok.daysDefault')} style={{ width: 160 }} />
        </Form.Item>
        <Form.Item name="write" valuePropName="checked">
          <Checkbox>{t('account.token.write')}</Checkbox>
        </Form.Item>
        <Form.Item>
          <Button type="primary" htmlType="submit" loading={create.isPending}>
            {t('account.token.create')}
          </Button>
        </Form.Item>
      </Form>
    </section>
  );
}
