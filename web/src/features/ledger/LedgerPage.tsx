import { Button, Empty, Input, Select, Space, Table, Tabs, Tag, TreeSelect } from 'antd';
import type { ColumnsType } from 'antd/es/table';
import { useSearchParams } from 'react-router';
import { CursorPager, cursorTrail } from '../../components/CursorPager.tsx';
import { Field } from '../../components/Field.tsx';
import { Loading } from '../../components/Loading.tsx';
import { ProblemAlert } from '../../components/ProblemAlert.tsx';
import { formatDateTime } from '../../i18n/format.ts';
import { useI18n } from '../../i18n/i18n.tsx';
import type { MessageKey } from '../../i18n/messages.ts';
import { classTree, useClassifications } from '../classifications/api.ts';
import { exportUrl, useCodeLabels, useDepartments, useLedger, type LedgerDemand, type LedgerList, type LedgerResource, type LedgerSystem } from './api.ts';

const LISTS: readonly LedgerList[] = ['resources', 'systems', 'demands'];
const STATUSES: Record<LedgerList, readonly string[]> = {
  systems: ['active', 'retired'],
  resources: ['draft', 'submitted', 'approved', 'published', 'retired'],
  demands: ['open', 'matched', 'requested', 'fulfilled', 'unfulfillable'],
};
/** Filters of the page kept in the URL (a link shows the same view); the resource-only ones are left out of the other lists. */
const COMMON = ['department', 'status', 'q'] as const;
const RESOURCE_ONLY = ['category', 'shareType', 'openType', 'domain'] as const;

/** 一本账: the city's systems, resources and demands, filtered and paged by the server, exported as the filters find them. */
export function LedgerPage() {
  const { t } = useI18n();
  const [params, setParams] = useSearchParams();
  const list = (LISTS as readonly string[]).includes(params.get('list') ?? '') ? (params.get('list') as LedgerList) : 'resources';
  const trail = cursorTrail(params.get('pages'));
  const filters: Record<string, string | undefined> = { list };
  for (const k of [...COMMON, ...(list === 'resources' ? RESOURCE_ONLY : [])]) filters[k] = params.get(k) || undefined;
  const ledger = useLedger({ ...filters, after: trail.at(-1) });
  const departments = useDepartments();
  const classes = useClassifications();
  const resourceLabels = useCodeLabels('resource');

  const set = (changes: Record<string, string | null>) => {
    const next = new URLSearchParams(params);
    for (const [k, v] of Object.entries(changes)) if (v) next.set(k, v); else next.delete(k);
    // another filter starts again at the first page
    if (!('pages' in changes)) next.delete('pages');
    setParams(next);
  };
  const filtered = [...COMMON, ...RESOURCE_ONLY].some((k) => params.get(k));
  const total = ledger.data?.counts[list] ?? 0;
  const listName = t(`ledger.list.${list}` as MessageKey);
  const typeSelect = (key: 'shareType' | 'openType' | 'domain') => (
    <Field label={t(`ledger.${key}` as MessageKey)}>
      {(id) => (
        <Select
          id={id}
          value={params.get(key) ?? ''}
          style={{ minWidth: 140 }}
          onChange={(v) => set({ [key]: v || null })}
          options={[{ value: '', label: t('ledger.any') }, ...resourceLabels.options(key)]}
        />
      )}
    </Field>
  );

  return (
    <>
      <h1 className="page-title">{t('ledger.title')}</h1>
      <p>{t('ledger.lead')}</p>
      <Tabs
        activeKey={list}
        onChange={(k) => set({ list: k === 'resources' ? null : k, ...(k === 'resources' ? {} : Object.fromEntries(RESOURCE_ONLY.map((f) => [f, null]))), status: null })}
        items={LISTS.map((l) => ({ key: l, label: t(`ledger.list.${l}` as MessageKey) }))}
      />
      <form
        role="search"
        aria-label={t('ledger.filters')}
        className="ledger-filters"
        onSubmit={(e) => {
          e.preventDefault();
          set({ q: String(new FormData(e.currentTarget).get('q') ?? '').trim() || null });
        }}
      >
        <Field label={t('ledger.q')}>
          {(id) => <Input.Search id={id} name="q" key={params.get('q') ?? ''} defaultValue={params.get('q') ?? ''} placeholder={t('ledger.qPlaceholder')} allowClear enterButton={t('ledger.search')} onSearch={(v) => set({ q: v.trim() || null })} />}
        </Field>
        <Field label={t('ledger.department')}>
          {(id) => (
            <Select
              id={id}
              showSearch
              optionFilterProp="label"
              value={params.get('department') ?? ''}
              style={{ minWidth: 200 }}
              onChange={(v) => set({ department: v || null })}
              options={[{ value: '', label: t('ledger.allDepartments') }, ...(departments.data?.items ?? []).map((d) => ({ value: String(d.id), label: d.name }))]}
            />
          )}
        </Field>
        <Field label={t('ledger.status')}>
          {(id) => (
            <Select
              id={id}
              value={params.get('status') ?? ''}
              style={{ minWidth: 120 }}
              onChange={(v) => set({ status: v || null })}
              options={[{ value: '', label: t('ledger.allStatuses') }, ...STATUSES[list].map((s) => ({ value: s, label: t(`census.status.${s}` as MessageKey) }))]}
            />
          )}
        </Field>
        {list === 'resources' && (
          <>
            <Field label={t('ledger.category')}>
              {(id) => (
                <TreeSelect
                  id={id}
                  showSearch
                  allowClear
                  treeNodeFilterProp="title"
                  placeholder={t('ledger.allCategories')}
                  value={params.get('category') ?? undefined}
                  style={{ minWidth: 220 }}
                  popupMatchSelectWidth={false}
                  onChange={(v?: string) => set({ category: v ?? null })}
                  treeData={classTree(classes.data?.items ?? [])}
                />
              )}
            </Field>
            {typeSelect('shareType')}
            {typeSelect('openType')}
            {typeSelect('domain')}
          </>
        )}
        {filtered && (
          <Button htmlType="button" onClick={() => set(Object.fromEntries([...COMMON, ...RESOURCE_ONLY].map((k) => [k, null])))}>
            {t('ledger.clear')}
          </Button>
        )}
      </form>
      <div className="ledger-summary">
        <span aria-live="polite">{ledger.data ? t('ledger.total', { n: total }) : ''}</span>
        <Space wrap>
          <Button type="primary" href={exportUrl(filters, 'xlsx')} download aria-describedby="ledger-export-hint">
            {t('ledger.exportXlsx')}
          </Button>
          <Button href={exportUrl(filters, 'csv')} download aria-describedby="ledger-export-hint">
            {t('ledger.exportCsv')}
          </Button>
        </Space>
      </div>
      <p id="ledger-export-hint" className="hint">
        {t('ledger.exportHint', { n: total })}
      </p>
      {ledger.isPending ? (
        <Loading rows={6} />
      ) : ledger.isError ? (
        <ProblemAlert error={ledger.error} onRetry={() => void ledger.refetch()} />
      ) : total === 0 ? (
        <Empty description={t('ledger.empty')} />
      ) : (
        <>
          <LedgerTable list={list} data={ledger.data} loading={ledger.isFetching && ledger.isPlaceholderData} label={t('ledger.table', { list: listName, page: trail.length + 1 })} />
          <CursorPager
            page={trail.length + 1}
            hasPrev={trail.length > 0}
            next={ledger.data.next === null ? null : String(ledger.data.next)}
            label={t('ledger.pager')}
            onPrev={() => set({ pages: trail.slice(0, -1).join(',') || null })}
            onNext={(n) => set({ pages: [...trail, n].join(',') })}
          />
        </>
      )}
    </>
  );
}

function LedgerTable({ list, data, loading, label }: { list: LedgerList; data: NonNullable<ReturnType<typeof useLedger>['data']>; loading: boolean; label: string }) {
  const { t } = useI18n();
  const r = useCodeLabels('resource');
  const s = useCodeLabels('system');
  const d = useCodeLabels('demand');
  const status = (v: string) => <Tag>{t(`census.status.${v}` as MessageKey)}</Tag>;
  const common = { rowKey: 'id' as const, size: 'small' as const, pagination: false as const, loading, scroll: { x: 'max-content' }, 'aria-label': label };
  const updated = { key: 'updated', title: t('ledger.col.updated'), render: (_: unknown, x: { updatedAt: string }) => formatDateTime(x.updatedAt) };
  if (list === 'resources') {
    const columns: ColumnsType<LedgerResource> = [
      { key: 'name', title: t('ledger.col.name'), dataIndex: 'name', fixed: 'left' },
      { key: 'code', title: t('ledger.col.code'), dataIndex: 'code', render: (c: string | null) => c ?? '—' },
      { key: 'department', title: t('ledger.col.department'), dataIndex: 'department' },
      { key: 'status', title: t('ledger.col.status'), dataIndex: 'status', render: status },
      { key: 'category', title: t('ledger.col.category'), render: (_, x) => (x.categoryName ? `${x.category} ${x.categoryName}` : x.category) },
      { key: 'shareType', title: t('ledger.col.shareType'), render: (_, x) => r.label('shareType', x.shareType) },
      { key: 'openType', title: t('ledger.col.openType'), render: (_, x) => r.label('openType', x.openType) },
      { key: 'domain', title: t('ledger.col.domain'), render: (_, x) => r.label('domain', x.domain) },
      { key: 'items', title: t('ledger.col.items'), dataIndex: 'items', align: 'right' },
      { key: 'source', title: t('ledger.col.source'), render: (_, x) => x.sourceSystem?.name ?? '—' },
      { key: 'demands', title: t('ledger.col.demands'), dataIndex: 'demands', align: 'right' },
      updated,
    ];
    return <div className="table-scroll"><Table<LedgerResource> {...common} columns={columns} dataSource={data.resources} /></div>;
  }
  if (list === 'systems') {
    const columns: ColumnsType<LedgerSystem> = [
      { key: 'name', title: t('ledger.col.name'), dataIndex: 'name', fixed: 'left' },
      { key: 'department', title: t('ledger.col.department'), dataIndex: 'department' },
      { key: 'status', title: t('ledger.col.status'), dataIndex: 'status', render: status },
      { key: 'buildStatus', title: t('ledger.col.buildStatus'), render: (_, x) => s.label('buildStatus', x.buildStatus) },
      { key: 'protection', title: t('ledger.col.protection'), render: (_, x) => s.label('protectionLevel', x.protectionLevel) },
      { key: 'fed', title: t('ledger.col.fed'), render: (_, x) => <span className="clamp-2">{x.resources.map((f) => f.name).join('、') || '—'}</span> },
      updated,
    ];
    return <div className="table-scroll"><Table<LedgerSystem> {...common} columns={columns} dataSource={data.systems} /></div>;
  }
  const columns: ColumnsType<LedgerDemand> = [
    { key: 'name', title: t('ledger.col.name'), dataIndex: 'name', fixed: 'left' },
    { key: 'department', title: t('ledger.col.department'), dataIndex: 'department' },
    { key: 'status', title: t('ledger.col.status'), dataIndex: 'status', render: status },
    { key: 'resourceName', title: t('ledger.col.resourceName'), dataIndex: 'resourceName' },
    { key: 'provider', title: t('ledger.col.provider'), render: (_, x) => x.providerName ?? x.provider ?? '—' },
    { key: 'accessMode', title: t('ledger.col.accessMode'), render: (_, x) => d.label('accessMode', x.accessMode) },
    { key: 'linked', title: t('ledger.col.linked'), render: (_, x) => <span className="clamp-2">{x.resources.map((l) => l.name).join('、') || '—'}</span> },
    updated,
  ];
  return <div className="table-scroll"><Table<LedgerDemand> {...common} columns={columns} dataSource={data.demands} /></div>;
}
