import { Button, Empty, Input, Select, Table, Tag } from 'antd';
import type { SorterResult } from 'antd/es/table/interface';
import { useState } from 'react';
import { CursorPager, cursorTrail } from '../CursorPager.tsx';
import { Field } from '../Field.tsx';
import { ProblemAlert } from '../ProblemAlert.tsx';
import { useI18n } from '../../i18n/i18n.tsx';
import { usePreviewRows, type PreviewItem, type RowsSource } from './rows.ts';
import { NUMERIC_TYPES, operatorsFor, type Operator, type RowQuery } from './rowQuery.ts';

const PAGE_SIZES = [20, 50, 100];

/** A cell as text: React escapes it, so no value from the data is ever HTML. */
export function cellText(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  return typeof v === 'object' ? JSON.stringify(v) : String(v);
}

/**
 * The rows, a page at a time from the server (keyset cursors), with per-column filters in the row
 * API's operators and sorting by a column title; all of it in the URL.
 */
export function PreviewTable({ items, totalRows, source, query, params, setQuery, setPaging }: {
  /** The columns, in order. */
  items: PreviewItem[];
  /** Rows in all, when known (shown until a filter gives an exact count). */
  totalRows: number | null;
  source: RowsSource;
  query: RowQuery;
  params: URLSearchParams;
  setQuery(q: RowQuery): void;
  setPaging(changes: Record<string, string | null>): void;
}) {
  const { t, number } = useI18n();
  const trail = cursorTrail(params.get('pages'));
  const size = PAGE_SIZES.includes(Number(params.get('size'))) ? Number(params.get('size')) : PAGE_SIZES[0];
  const rows = usePreviewRows(source, query, { cursor: trail.at(-1), limit: size }, true);
  const filterable = items.filter((i) => operatorsFor(i).length > 0);
  const [column, setColumn] = useState<string | undefined>(filterable[0]?.name);
  const item = filterable.find((i) => i.name === column);
  const [op, setOp] = useState<Operator>('eq');
  const [value, setValue] = useState('');
  const ops = item ? operatorsFor(item) : [];
  const opNow = ops.includes(op) ? op : ops[0];
  const labelOf = (name: string) => items.find((i) => i.name === name)?.label ?? name;

  const addFilter = () => {
    if (!item || !opNow) return;
    const v = opNow === 'isnull' ? (value === 'false' ? 'false' : 'true') : value.trim();
    if (v === '' && opNow !== 'isnull') return;
    setQuery({ ...query, filters: [...query.filters, { column: item.name, op: opNow, value: v }] });
    setValue('');
  };
  const sortOf = (i: PreviewItem) => {
    const s = query.sort[0];
    if (s === i.name) return 'ascend' as const;
    if (s === `-${i.name}`) return 'descend' as const;
    return null;
  };

  const columns = items.map((i) => ({
    key: i.name,
    dataIndex: i.name,
    title: (
      <span>
        {i.label}
        {i.masked && <Tag style={{ marginInlineStart: 4 }}>{t('items.masked')}</Tag>}
      </span>
    ),
    align: NUMERIC_TYPES.has(i.type) ? ('right' as const) : undefined,
    sorter: !i.masked,
    sortOrder: i.masked ? undefined : sortOf(i),
    sortDirections: ['ascend' as const, 'descend' as const],
    render: (v: unknown) => cellText(v),
    ellipsis: false,
  }));

  return (
    <div>
      <form className="filter-bar" aria-label={t('preview.filters')} onSubmit={(e) => { e.preventDefault(); addFilter(); }}>
        <Field label={t('preview.column')}>
          {(id) => <Select id={id} style={{ minWidth: 160 }} value={column} onChange={setColumn} options={filterable.map((i) => ({ value: i.name, label: i.label }))} />}
        </Field>
        <Field label={t('preview.operator')}>
          {(id) => <Select id={id} style={{ minWidth: 120 }} value={opNow} onChange={setOp} options={ops.map((o) => ({ value: o, label: t(`op.${o}`) }))} />}
        </Field>
        <Field label={t('preview.value')}>
          {(id) =>
            opNow === 'isnull' ? (
              <Select id={id} style={{ minWidth: 100 }} value={value === 'false' ? 'false' : 'true'} onChange={setValue} options={[{ value: 'true', label: t('common.yes') }, { value: 'false', label: t('common.no') }]} />
            ) : (
              <Input id={id} style={{ width: 180 }} value={value} onChange={(e) => setValue(e.target.value)} placeholder={item?.type === 'D' ? 'YYYY-MM-DD' : undefined} />
            )
          }
        </Field>
        <Button type="primary" htmlType="submit">{t('preview.add')}</Button>
      </form>
      {items.some((i) => i.masked) && <p style={{ fontSize: 13, margin: '0 0 8px' }}>{t('preview.maskedHint')}</p>}
      {query.filters.length > 0 && (
        <div className="active-filters">
          {query.filters.map((f, n) => {
            const text = `${labelOf(f.column)} ${t(`op.${f.op}`)} ${f.op === 'isnull' ? (f.value === 'false' ? t('common.no') : t('common.yes')) : f.value}`;
            return (
              <Tag key={n} closable closeIcon={<span aria-label={t('preview.removeFilter', { f: text })}>×</span>} onClose={(e) => { e.preventDefault(); setQuery({ ...query, filters: query.filters.filter((_, k) => k !== n) }); }}>
                {text}
              </Tag>
            );
          })}
          <Button size="small" onClick={() => setQuery({ ...query, filters: [] })}>{t('preview.clearAll')}</Button>
        </div>
      )}
      {rows.isError ? (
        <ProblemAlert error={rows.error} onRetry={() => rows.refetch()} />
      ) : (
        <>
          <p aria-live="polite" style={{ margin: '0 0 8px' }}>
            {rows.data?.count !== undefined ? t('preview.count', { n: number(rows.data.count) }) : totalRows !== null ? t('common.rows', { n: number(totalRows) }) : ''}
            {' · '}{t('preview.sortHint')}
          </p>
          <div className="table-scroll">
            <Table
              aria-label={t('preview.table')}
              size="small"
              bordered
              loading={rows.isFetching}
              rowKey={(_, i) => String(i)}
              columns={columns}
              dataSource={rows.data?.items ?? []}
              pagination={false}
              scroll={{ x: 'max-content' }}
              locale={{ emptyText: rows.isPending ? ' ' : <Empty description={t('preview.empty')} /> }}
              onChange={(_p, _f, sorter) => {
                const s = (Array.isArray(sorter) ? sorter[0] : sorter) as SorterResult<Record<string, unknown>>;
                const key = String(s.columnKey ?? '');
                setQuery({ ...query, sort: s.order && key ? [s.order === 'descend' ? `-${key}` : key] : [] });
              }}
            />
          </div>
          <div style={{ display: 'flex', flexWrap: 'wrap', justifyContent: 'space-between', alignItems: 'center', gap: 8 }}>
            <CursorPager
              label={t('preview.table')}
              page={trail.length + 1}
              hasPrev={trail.length > 0}
              next={rows.data?.next ?? null}
              onPrev={() => setPaging({ pages: trail.slice(0, -1).join(',') || null })}
              onNext={(n) => setPaging({ pages: [...trail, n].join(',') })}
            />
            <div className="page-size">
              <Field label={t('preview.pageSize')}>
                {(id) => <Select id={id} value={size} onChange={(v) => setPaging({ size: String(v), pages: null })} options={PAGE_SIZES.map((n) => ({ value: n, label: String(n) }))} />}
              </Field>
            </div>
          </div>
        </>
      )}
    </div>
  );
}
