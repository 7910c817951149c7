import { Button, Descriptions, Empty, Grid, Input, Select, Table, Tabs } from 'antd';
import { useSearchParams } from 'react-router';
import { CursorPager, cursorTrail } from '../../components/CursorPager.tsx';
import { Field } from '../../components/Field.tsx';
import { Loading } from '../../components/Loading.tsx';
import { ProblemAlert } from '../../components/ProblemAlert.tsx';
import { formatDateTime } from '../../i18n/format.ts';
import { useI18n } from '../../i18n/i18n.tsx';
import { useDepartments } from '../ledger/api.ts';
import { useAuditSearch, type AuditEvent } from './api.ts';
import { HeadPanel } from './HeadPanel.tsx';
import { VerifyPanel } from './VerifyPanel.tsx';

const TABS = ['search', 'verify', 'head'] as const;
type Tab = (typeof TABS)[number];
const FIELDS = ['actor', 'action', 'targetType', 'targetId', 'departmentId', 'from', 'to'] as const;

/** 审计日志: search the trail, verify the chain, keep the signed head; the tab and the search are in the URL. */
export function AuditPage() {
  const { t } = useI18n();
  const [params, setParams] = useSearchParams();
  const tab: Tab = (TABS as readonly string[]).includes(params.get('tab') ?? '') ? (params.get('tab') as Tab) : 'search';
  return (
    <>
      <h1 className="page-title">{t('audit.title')}</h1>
      <p>{t('audit.lead')}</p>
      <Tabs
        activeKey={tab}
        onChange={(k) => setParams(k === 'search' ? {} : { tab: k })}
        items={[
          { key: 'search', label: t('audit.tab.search'), children: <SearchPanel /> },
          { key: 'verify', label: t('audit.tab.verify'), children: <VerifyPanel /> },
          { key: 'head', label: t('audit.tab.head'), children: <HeadPanel /> },
        ]}
      />
    </>
  );
}

/** A date typed as YYYY-MM-DD, as the local midnight the person means; `to` is inclusive, so the query's end is the next midnight. */
function dayStart(day: string | null, plusDays = 0): string | undefined {
  if (!day) return undefined;
  const d = new Date(`${day}T00:00:00`);
  if (Number.isNaN(d.getTime())) return undefined;
  d.setDate(d.getDate() + plusDays);
  return d.toISOString();
}

function SearchPanel() {
  const { t } = useI18n();
  const [params, setParams] = useSearchParams();
  const departments = useDepartments();
  const deptName = new Map((departments.data?.items ?? []).map((d) => [d.id, d.name]));
  const trail = cursorTrail(params.get('pages'));
  const value = (k: (typeof FIELDS)[number]) => params.get(k) ?? '';
  const events = useAuditSearch({
    actor: value('actor') || undefined,
    action: value('action') || undefined,
    targetType: value('targetType') || undefined,
    targetId: value('targetId') || undefined,
    departmentId: value('departmentId') || undefined,
    from: dayStart(params.get('from')),
    to: dayStart(params.get('to'), 1),
    cursor: trail.at(-1),
  });
  const set = (changes: Record<string, string | null>) => {
    const next = new URLSearchParams(params);
    for (const [k, v] of Object.entries(changes)) if (v) next.set(k, v); else next.delete(k);
    if (!('pages' in changes)) next.delete('pages');
    setParams(next);
  };
  const text = (k: 'actor' | 'action' | 'targetType' | 'targetId', label: string, placeholder?: string) => (
    <Field label={label}>{(id) => <Input id={id} name={k} defaultValue={value(k)} key={value(k)} placeholder={placeholder} allowClear />}</Field>
  );
  return (
    <>
      <form
        role="search"
        aria-label={t('audit.searchForm')}
        className="audit-search"
        onSubmit={(e) => {
          e.preventDefault();
          const form = new FormData(e.currentTarget);
          set(Object.fromEntries(['actor', 'action', 'targetType', 'targetId', 'from', 'to'].map((k) => [k, String(form.get(k) ?? '').trim() || null])));
        }}
      >
        {text('actor', t('audit.actor'), t('audit.actorHint'))}
        {text('action', t('audit.action'), t('audit.actionHint'))}
        {text('targetType', t('audit.targetType'), t('audit.targetTypeHint'))}
        {text('targetId', t('audit.targetId'))}
        <Field label={t('audit.department')}>
          {(id) => (
            <Select
              id={id}
              showSearch
              optionFilterProp="label"
              value={value('departmentId')}
              style={{ minWidth: 180 }}
              onChange={(v) => set({ departmentId: v || null })}
              options={[{ value: '', label: t('audit.anyDepartment') }, ...(departments.data?.items ?? []).map((d) => ({ value: String(d.id), label: d.name }))]}
            />
          )}
        </Field>
        <Field label={t('audit.from')}>{(id) => <Input id={id} type="date" name="from" defaultValue={value('from')} key={`f${value('from')}`} />}</Field>
        <Field label={t('audit.to')}>{(id) => <Input id={id} type="date" name="to" defaultValue={value('to')} key={`t${value('to')}`} />}</Field>
        <div className="audit-search-buttons">
          <Button type="primary" htmlType="submit">
            {t('audit.search')}
          </Button>
          <Button htmlType="button" onClick={() => setParams({})}>
            {t('audit.reset')}
          </Button>
        </div>
      </form>
      {events.isPending ? (
        <Loading rows={6} />
      ) : events.isError ? (
        <ProblemAlert error={events.error} onRetry={() => void events.refetch()} />
      ) : events.data.items.length === 0 ? (
        <Empty description={t('audit.empty')} />
      ) : (
        <>
          <div className="table-scroll">
            <Table<AuditEvent>
              aria-label={t('audit.results')}
              rowKey="seq"
              size="small"
              pagination={false}
              loading={events.isFetching && events.isPlaceholderData}
              dataSource={events.data.items}
              scroll={{ x: 'max-content' }}
              expandable={{ expandedRowRender: (e) => <EventDetail e={e} />, columnTitle: <span className="visually-hidden">{t('audit.detail')}</span> }}
              columns={[
                { key: 'seq', title: t('audit.col.seq'), dataIndex: 'seq', align: 'right' },
                { key: 'at', title: t('audit.col.at'), render: (_, e) => formatDateTime(e.at) },
                { key: 'actor', title: t('audit.col.actor'), dataIndex: 'actor' },
                { key: 'action', title: t('audit.col.action'), dataIndex: 'action', render: (a: string) => <code>{a}</code> },
                { key: 'target', title: t('audit.col.target'), render: (_, e) => (e.targetType ? `${e.targetType} ${e.targetId ?? ''}` : '—') },
                { key: 'department', title: t('audit.col.department'), render: (_, e) => (e.departmentId ? (deptName.get(e.departmentId) ?? `#${e.departmentId}`) : '—') },
                { key: 'purpose', title: t('audit.col.purpose'), render: (_, e) => <span className="clamp-2">{e.purpose ?? '—'}</span> },
                { key: 'rows', title: t('audit.col.rows'), align: 'right', render: (_, e) => e.rows ?? '—' },
              ]}
            />
          </div>
          <CursorPager
            page={trail.length + 1}
            hasPrev={trail.length > 0}
            next={events.data.next === null ? null : String(events.data.next)}
            label={t('audit.pager')}
            onPrev={() => set({ pages: trail.slice(0, -1).join(',') || null })}
            onNext={(n) => set({ pages: [...trail, n].join(',') })}
          />
        </>
      )}
    </>
  );
}

function EventDetail({ e }: { e: AuditEvent }) {
  const { t } = useI18n();
  // on a phone, labels above values: the row is as wide as the screen, not the table
  const wide = Grid.useBreakpoint().sm !== false;
  return (
    <Descriptions size="small" column={1} bordered layout={wide ? 'horizontal' : 'vertical'} className="audit-detail" title={`${t('audit.detail')} #${e.seq}`}>
      <Descriptions.Item label={t('audit.detail.content')}>
        <pre className="audit-json">{JSON.stringify(e.detail, null, 2)}</pre>
      </Descriptions.Item>
      <Descriptions.Item label={t('audit.detail.request')}>{e.requestId ?? '—'}</Descriptions.Item>
      <Descriptions.Item label={t('audit.detail.prevHash')}>
        <code className="hash">{e.prevHash}</code>
      </Descriptions.Item>
      <Descriptions.Item label={t('audit.detail.hash')}>
        <code className="hash">{e.hash}</code>
      </Descriptions.Item>
    </Descriptions>
  );
}
