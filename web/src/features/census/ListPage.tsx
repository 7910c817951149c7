import { Button, Empty, Input, Select, Space, Table, Tag } from 'antd';
import { Link, useNavigate, useSearchParams } from 'react-router';
import { CursorPager, cursorTrail } from '../../components/CursorPager.tsx';
import { Field } from '../../components/Field.tsx';
import { ProblemAlert } from '../../components/ProblemAlert.tsx';
import { Loading } from '../../components/Loading.tsx';
import { formatDateTime } from '../../i18n/format.ts';
import { useI18n } from '../../i18n/i18n.tsx';
import type { MessageKey } from '../../i18n/messages.ts';
import { may, useMe } from '../session/api.ts';
import { useCensusList, type ListRow } from './api.ts';
import { KIND_CONFIG, type CensusKind } from './kinds.ts';

const CREATE_OP = { system: 'createSystem', resource: 'createResource', demand: 'createDemand' } as const;

/** A census list of the person's department: status filter and name search in the URL, keyset pages from the server. */
function CensusList({ kind }: { kind: CensusKind }) {
  const { t } = useI18n();
  const me = useMe().data!;
  const config = KIND_CONFIG[kind];
  const [params, setParams] = useSearchParams();
  const navigate = useNavigate();
  const q = params.get('q') ?? '';
  const status = params.get('status') ?? '';
  const trail = cursorTrail(params.get('pages'));
  const list = useCensusList(kind, { q: q || undefined, status: status || undefined, cursor: trail.at(-1), department: me.departmentId });
  const set = (changes: Record<string, string | null>) => {
    const next = new URLSearchParams(params);
    for (const [k, v] of Object.entries(changes)) if (v) next.set(k, v); else next.delete(k);
    // a new filter starts from the first page
    if (!('pages' in changes)) next.delete('pages');
    setParams(next);
  };
  const filtered = q !== '' || status !== '';
  const createLabel = t(config.create);
  return (
    <>
      <h1 className="page-title">{t(config.list)}</h1>
      <div className="census-toolbar">
        <form
          role="search"
          onSubmit={(e) => {
            e.preventDefault();
            set({ q: String(new FormData(e.currentTarget).get('q') ?? '').trim() || null });
          }}
        >
          <Space wrap>
            <Field label={t('census.search')}>{(id) => <Input.Search id={id} name="q" defaultValue={q} key={q} allowClear enterButton={t('census.searchButton')} onSearch={(v) => set({ q: v.trim() || null })} />}</Field>
            <Field label={t('census.status')}>
              {(id) => (
                <Select
                  id={id}
                  value={status}
                  style={{ minWidth: 140 }}
                  onChange={(v) => set({ status: v || null })}
                  options={[{ value: '', label: t('census.allStatuses') }, ...config.statuses.map((s) => ({ value: s, label: t(`census.status.${s}` as MessageKey) }))]}
                />
              )}
            </Field>
          </Space>
        </form>
        {may(me, CREATE_OP[kind]) && (
          <Button type="primary" className="census-create" onClick={() => navigate(`/console/${config.plural}/new`)}>
            {createLabel}
          </Button>
        )}
      </div>
      {list.isPending ? (
        <Loading rows={6} />
      ) : list.isError ? (
        <ProblemAlert error={list.error} onRetry={() => void list.refetch()} />
      ) : list.data.items.length === 0 ? (
        <Empty description={t(filtered ? 'census.empty' : 'census.emptyNone', { action: createLabel })} />
      ) : (
        <>
          <Table<ListRow>
            rowKey="id"
            className="panel census-table"
            aria-label={t('census.results')}
            pagination={false}
            loading={list.isFetching && list.isPlaceholderData}
            dataSource={list.data.items}
            scroll={{ x: 'max-content' }}
            columns={[
              { title: t('census.col.name'), dataIndex: 'name', render: (name: string, r) => <Link to={`/console/${config.plural}/${r.id}`}>{name}</Link> },
              { title: t('census.col.status'), dataIndex: 'status', render: (s: string) => <Tag>{t(`census.status.${s}` as MessageKey)}</Tag> },
              kind === 'resource'
                ? { title: t('census.col.code'), dataIndex: 'code', render: (c: string | null) => c ?? '—' }
                : { title: t('census.col.updated'), dataIndex: 'updatedAt', render: (d: string | null) => formatDateTime(d) },
            ]}
          />
          <CursorPager
            page={trail.length + 1}
            hasPrev={trail.length > 0}
            next={list.data.next}
            label={t('census.pager')}
            onPrev={() => set({ pages: trail.slice(0, -1).join(',') || null })}
            onNext={(n) => set({ pages: [...trail, n].join(',') })}
          />
        </>
      )}
    </>
  );
}

export const SystemsPage = () => <CensusList kind="system" />;
export const ResourcesPage = () => <CensusList kind="resource" />;
export const DemandsPage = () => <CensusList kind="demand" />;
