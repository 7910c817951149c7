import { Table, Tag } from 'antd';
import { useI18n } from '../../i18n/i18n.tsx';
import { codeLabel } from '../../i18n/labels.ts';
import type { Dataset, PublishedItem } from './api.ts';

/** The items as published: Chinese label, field name, type, which are masked and how. */
export function ItemsTable({ dataset }: { dataset: Dataset }) {
  const { t, lang } = useI18n();
  return (
    <div className="table-scroll">
      <Table<PublishedItem>
        size="small"
        rowKey="name"
        pagination={false}
        dataSource={dataset.items}
        scroll={{ x: 'max-content' }}
        columns={[
          { key: 'label', title: t('items.label'), dataIndex: 'label', render: (v: string, i) => <span>{v}{i.key && <Tag style={{ marginInlineStart: 6 }}>{t('items.key')}</Tag>}</span> },
          { key: 'name', title: t('items.name'), dataIndex: 'name', render: (v: string) => <code>{v}</code> },
          { key: 'type', title: t('items.type'), dataIndex: 'type', render: (v: string, i) => `${codeLabel('dataType', v, lang)}${i.length ? ` (${i.length}${i.scale ? `,${i.scale}` : ''})` : ''}` },
          { key: 'masked', title: t('items.masked'), dataIndex: 'masked', render: (v: string | null) => (v ? <Tag color="orange">{codeLabel('mask', v, lang)}</Tag> : t('common.no')) },
          { key: 'description', title: t('items.description'), dataIndex: 'description' },
        ]}
      />
    </div>
  );
}

/** The quality profile of the last load: empty and failing values per item, distinct values, range (withheld for masked items). */
export function QualityTable({ dataset }: { dataset: Dataset }) {
  const { t, number } = useI18n();
  const q = dataset.quality;
  if (!q) return <p>{t('quality.none')}</p>;
  const rows = dataset.items.map((i) => ({ item: i, ...(q.columns[i.name] ?? {}) }));
  const range = (v: unknown, masked: boolean) => (masked ? t('quality.withheld') : v === undefined || v === null ? '' : String(v));
  return (
    <div>
      <p>{t('quality.rows')}: {number(q.rows)}</p>
      <div className="table-scroll">
        <Table
          size="small"
          rowKey={(r) => r.item.name}
          pagination={false}
          dataSource={rows}
          scroll={{ x: 'max-content' }}
          columns={[
            { key: 'label', title: t('items.label'), render: (_: unknown, r) => r.item.label },
            { key: 'nulls', title: t('quality.nulls'), align: 'right', render: (_: unknown, r) => number(r.nulls ?? 0) },
            { key: 'invalid', title: t('quality.invalid'), align: 'right', render: (_: unknown, r) => number(r.invalid ?? 0) },
            { key: 'distinct', title: t('quality.distinct'), align: 'right', render: (_: unknown, r) => number(r.distinctEstimate) },
            { key: 'min', title: t('quality.min'), render: (_: unknown, r) => range(r.min, Boolean(r.item.masked)) },
            { key: 'max', title: t('quality.max'), render: (_: unknown, r) => range(r.max, Boolean(r.item.masked)) },
          ]}
        />
      </div>
    </div>
  );
}
