import { Alert, Descriptions, Table, Tag } from 'antd';
import { Link, useLocation } from 'react-router';
import { NotFound } from '../../app/NotFound.tsx';
import { ApiError } from '../../api/client.ts';
import { Loading } from '../../components/Loading.tsx';
import { ProblemAlert } from '../../components/ProblemAlert.tsx';
import { useI18n } from '../../i18n/i18n.tsx';
import { codeLabel } from '../../i18n/labels.ts';
import { may, useMe } from '../session/api.ts';
import { useConditionalDataset, type ConditionalDataset } from './api.ts';
import { ApplyForm } from './ApplyForm.tsx';

/**
 * A conditionally open dataset (有条件开放) on the dataset page: what it is, its conditions and
 * items — public — and the application form for a signed-in developer (a sign-in link for a visitor).
 * Its rows are never shown here: they are read with the developer's key once approved.
 */
export function ConditionalDatasetView({ code }: { code: string }) {
  const { t, lang } = useI18n();
  const ds = useConditionalDataset(code);
  const me = useMe();
  const location = useLocation();
  if (ds.isError && ds.error instanceof ApiError && ds.error.status === 404) return <NotFound />;
  if (ds.isError) return <ProblemAlert error={ds.error} onRetry={() => ds.refetch()} />;
  if (ds.isPending || me.isPending) return <Loading rows={8} />;
  const d = ds.data;
  return (
    <div>
      <p style={{ margin: 0 }}>
        <Link to="/search">← {t('dataset.back')}</Link>
      </p>
      <div className="dataset-head panel">
        <h1 className="page-title">
          {d.name} <Tag color="#874d00">{t('openApps.conditional')}</Tag>
        </h1>
        {d.description && <p>{d.description}</p>}
        <Descriptions size="small" column={{ xs: 1, sm: 2 }}>
          <Descriptions.Item label={t('dataset.department')}>{d.department.name}</Descriptions.Item>
          <Descriptions.Item label={t('dataset.code')}>
            <code>{d.code}</code>
          </Descriptions.Item>
          {d.domain && <Descriptions.Item label={t('dataset.domain')}>{codeLabel('domain', d.domain, lang)}</Descriptions.Item>}
          {d.updateCycle && <Descriptions.Item label={t('dataset.updateCycle')}>{codeLabel('updateCycle', d.updateCycle, lang)}</Descriptions.Item>}
        </Descriptions>
      </div>
      <section className="panel" aria-labelledby="conditions">
        <h2 id="conditions">{t('openApps.conditionTitle')}</h2>
        <Alert type="warning" showIcon message={d.openCondition ?? t('openApps.noCondition')} />
        <p style={{ marginTop: 12 }}>{t('openApps.explain', { department: d.department.name, days: d.limitDays })}</p>
      </section>
      <section className="panel" aria-labelledby="items">
        <h2 id="items">{t('openApps.items')}</h2>
        <ItemList dataset={d} />
      </section>
      <section className="panel" aria-labelledby="apply">
        <h2 id="apply">{t('openApps.applyHeading')}</h2>
        {!me.data ? (
          <Link className="ant-btn ant-btn-primary" to={`/sign-in?next=${encodeURIComponent(location.pathname)}`}>
            {t('openApps.signInToApply')}
          </Link>
        ) : may(me.data, 'createOpenApplication') ? (
          <ApplyForm dataset={d} />
        ) : (
          <Alert type="info" showIcon message={t('openApps.notDeveloper')} />
        )}
      </section>
    </div>
  );
}

function ItemList({ dataset }: { dataset: ConditionalDataset }) {
  const { t, lang } = useI18n();
  return (
    // a region a keyboard can scroll on a narrow screen
    <div className="table-scroll" tabIndex={0} role="region" aria-label={t('openApps.items')}>
      <Table
        size="small"
        rowKey="name"
        pagination={false}
        dataSource={dataset.items}
        columns={[
          { key: 'label', title: t('items.label'), dataIndex: 'label' },
          { key: 'name', title: t('items.name'), dataIndex: 'name', render: (v: string) => <code>{v}</code> },
          { key: 'type', title: t('items.type'), dataIndex: 'type', render: (v: string) => codeLabel('dataType', v, lang) },
          { key: 'masked', title: t('items.masked'), dataIndex: 'masked', render: (v: string | null) => (v ? <Tag color="orange">{codeLabel('mask', v, lang)}</Tag> : t('common.no')) },
          { key: 'description', title: t('items.description'), dataIndex: 'description' },
        ]}
      />
    </div>
  );
}
