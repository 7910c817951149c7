import { Descriptions, Tag } from 'antd';
import { formatDateTime } from '../../i18n/format.ts';
import { useI18n } from '../../i18n/i18n.tsx';
import type { Grant } from './api.ts';
import { grantStatusLabel, modeLabel } from './labels.ts';

type Condition = { column: string; op: string; value: unknown };

/** What a grant allows: items, rows, unmasked items, mode, rate, period, status. */
export function GrantTerms({ g }: { g: Grant }) {
  const { t } = useI18n();
  const rows = (g.rowFilter as Condition[] | null) ?? [];
  return (
    <Descriptions size="small" column={{ xs: 1, md: 2 }} bordered>
      <Descriptions.Item label={t('sharing.col.status')}>
        <Tag color={g.live ? 'green' : 'red'}>{grantStatusLabel(t, g.status)}</Tag>
        {g.statusReason && <span>{g.statusReason}</span>}
      </Descriptions.Item>
      <Descriptions.Item label={t('sharing.col.mode')}>{modeLabel(t, g.mode)}</Descriptions.Item>
      <Descriptions.Item label={t('sharing.col.items')} span={2}>
        {g.items.join('、')}
      </Descriptions.Item>
      <Descriptions.Item label={t('sharing.grant.rows')} span={2}>
        {rows.length === 0 ? t('sharing.grant.allRows') : rows.map((c) => `${c.column} ${c.op === 'in' ? '∈' : '='} ${Array.isArray(c.value) ? c.value.join('、') : String(c.value)}`).join('；')}
      </Descriptions.Item>
      {g.raw && g.raw.length > 0 && <Descriptions.Item label={t('sharing.grant.raw')}>{g.raw.join('、')}</Descriptions.Item>}
      <Descriptions.Item label={t('sharing.col.rate')}>{g.rateLimit ? t('sharing.rate', { n: g.rateLimit }) : '—'}</Descriptions.Item>
      <Descriptions.Item label={t('sharing.col.period')}>
        {formatDateTime(g.startsAt)} — {g.endsAt ? formatDateTime(g.endsAt) : t('sharing.grant.longTerm')}
      </Descriptions.Item>
    </Descriptions>
  );
}
