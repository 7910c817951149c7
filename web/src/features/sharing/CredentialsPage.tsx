import { Alert, Button, Input, InputNumber, Modal, Select, Space, Table, Typography } from 'antd';
import { useState } from 'react';
import { Link } from 'react-router';
import type { Schema } from '../../api/types.ts';
import { Field } from '../../components/Field.tsx';
import { ProblemAlert } from '../../components/ProblemAlert.tsx';
import { formatDateTime } from '../../i18n/format.ts';
import { useI18n } from '../../i18n/i18n.tsx';
import { may, useMe } from '../session/api.ts';
import { useCreateCredential, useCredentials, useOwnSystems } from './api.ts';

type Credential = Schema<'ConsumerCredential'>;

/** The officer's credentials page: its systems' consumer credentials, and a new credential whose secret is shown once (the department's people are on the accounts page). */
export function CredentialsPage() {
  const { t } = useI18n();
  const me = useMe().data!;
  const creds = useCredentials(true);
  const systems = useOwnSystems(me.departmentId);
  const create = useCreateCredential();
  const [systemId, setSystemId] = useState<number | undefined>();
  const [login, setLogin] = useState('');
  const [name, setName] = useState('');
  const [days, setDays] = useState<number | null>(null);
  const [secret, setSecret] = useState<Schema<'ConsumerCredentialCreated'> | null>(null);

  return (
    <>
      <h1 className="page-title">{t('sharing.cred.title')}</h1>
      <p>{t('sharing.cred.lead')}</p>
      {may(me, 'listPrincipals') && (
        <p>
          <Link to="/console/admin/accounts">{t('sharing.cred.accountsLink')}</Link>
        </p>
      )}
      <section className="panel">
        <h2>{t('sharing.cred.list')}</h2>
        {creds.isError ? (
          <ProblemAlert error={creds.error} />
        ) : (
          <div className="table-scroll">
            <Table<Credential>
              aria-label={t('sharing.cred.list')}
              size="small"
              rowKey="id"
              loading={creds.isFetching}
              pagination={false}
              dataSource={creds.data?.items ?? []}
              locale={{ emptyText: creds.isPending ? ' ' : <span className="table-empty">{t('sharing.cred.none')}</span> }}
              columns={[
                { key: 'login', title: t('sharing.cred.login'), dataIndex: 'login' },
                { key: 'name', title: t('sharing.cred.displayName'), dataIndex: 'displayName' },
                { key: 'system', title: t('sharing.cred.system'), render: (_, c) => c.system.name },
                { key: 'created', title: t('sharing.cred.created'), render: (_, c) => formatDateTime(c.createdAt) },
                { key: 'disabled', title: t('sharing.cred.disabled'), render: (_, c) => (c.disabledAt ? formatDateTime(c.disabledAt) : '') },
              ]}
            />
          </div>
        )}
      </section>
      {may(me, 'createConsumerCredential') && (
        <section className="panel">
          <h2>{t('sharing.cred.create')}</h2>
          <form
            onSubmit={(e) => {
              e.preventDefault();
              if (!systemId) return;
              create.mutate(
                { systemId, login: login.trim(), ...(name.trim() ? { displayName: name.trim() } : {}), ...(days ? { expiresInDays: days } : {}) },
                { onSuccess: (c) => (setSecret(c), setLogin(''), setName('')) },
              );
            }}
          >
            <Space wrap align="end">
              <Field label={t('sharing.cred.system')}>
                {(fid) => <Select id={fid} style={{ minWidth: 240 }} placeholder={t('sharing.cred.pickSystem')} value={systemId} onChange={setSystemId} options={(systems.data?.items ?? []).map((s) => ({ value: s.id, label: s.name }))} />}
              </Field>
              <Field label={t('sharing.cred.login')}>{(fid) => <Input id={fid} value={login} onChange={(e) => setLogin(e.target.value)} placeholder="rsj.si.api" aria-describedby="login-hint" />}</Field>
              <Field label={t('sharing.cred.displayName')}>{(fid) => <Input id={fid} value={name} onChange={(e) => setName(e.target.value)} />}</Field>
              <Field label={t('sharing.cred.days')}>{(fid) => <InputNumber id={fid} min={1} max={3650} value={days} onChange={setDays} />}</Field>
              <Button type="primary" htmlType="submit" loading={create.isPending} disabled={!systemId || login.trim().length < 2}>
                {t('sharing.cred.create')}
              </Button>
            </Space>
            <p id="login-hint" className="hint">
              {t('sharing.cred.loginHint')}
            </p>
          </form>
          {create.isError && <ProblemAlert error={create.error} />}
        </section>
      )}
      <Modal open={secret !== null} title={t('sharing.cred.secretTitle')} onOk={() => setSecret(null)} onCancel={() => setSecret(null)} cancelButtonProps={{ style: { display: 'none' } }}>
        <Alert type="warning" showIcon message={t('sharing.cred.secretLead')} style={{ marginBottom: 12 }} />
        <p>
          {t('sharing.cred.login')}: {secret?.login}
        </p>
        <Typography.Paragraph copyable={{ text: secret?.token.secret }} code className="secret">
          {secret?.token.secret}
        </Typography.Paragraph>
      </Modal>
    </>
  );
}
