import { Descriptions, Tag, Timeline } from 'antd';
import { formatDateTime } from '../../i18n/format.ts';
import { useI18n } from '../../i18n/i18n.tsx';
import type { MessageKey } from '../../i18n/messages.ts';
import { DeadlineTag } from './DeadlineTag.tsx';
import { useDepartmentNames, type ShareRequestView } from './api.ts';
import { modeLabel, periodLabel, stateColor, stateLabel } from './labels.ts';
import { GrantTerms } from './GrantTerms.tsx';

type Doc = { items: string[]; purpose: string; scenario: string; legalBasis?: string; period?: { kind: string; until?: string }; expectedCallRate?: number; matters?: unknown };

/** A share request as both parties and the authority read it: what was asked, where it stands, every step. */
export function RequestSummary({ r }: { r: ShareRequestView }) {
  const { t } = useI18n();
  const dept = useDepartmentNames();
  const doc = r.request as unknown as Doc;
  return (
    <>
      <Descriptions size="small" column={{ xs: 1, md: 2 }} bordered className="panel">
        <Descriptions.Item label={t('sharing.col.resource')}>
          {r.resource.name}（{r.resource.code}）
        </Descriptions.Item>
        <Descriptions.Item label={t('sharing.col.state')}>
          <Tag color={stateColor(r.state)}>{stateLabel(t, r.state)}</Tag>
          {r.waitingFor && <span>{t('sharing.detail.waitingFor', { who: t(`sharing.who.${r.waitingFor}` as MessageKey) })}</span>}
        </Descriptions.Item>
        <Descriptions.Item label={t('sharing.col.consumer')}>{dept(r.consumerDepartmentId)}</Descriptions.Item>
        <Descriptions.Item label={t('sharing.col.provider')}>{dept(r.providerDepartmentId)}</Descriptions.Item>
        <Descriptions.Item label={t('sharing.col.deadline')}>
          <DeadlineTag dueAt={r.dueAt} daysLeft={r.daysLeft} overdue={r.overdue} />
        </Descriptions.Item>
        <Descriptions.Item label={t('sharing.col.mode')}>
          {modeLabel(t, r.accessMode)} · {t(`sharing.shareType.${r.shareType}` as MessageKey)}
        </Descriptions.Item>
        <Descriptions.Item label={t('sharing.col.items')} span={2}>
          {doc.items.join('、')}
        </Descriptions.Item>
        <Descriptions.Item label={t('sharing.col.purpose')} span={2}>
          {doc.purpose}
        </Descriptions.Item>
        <Descriptions.Item label={t('sharing.request.scenario')} span={2}>
          {doc.scenario}
        </Descriptions.Item>
        {doc.legalBasis && (
          <Descriptions.Item label={t('sharing.request.legalBasis')} span={2}>
            {doc.legalBasis}
          </Descriptions.Item>
        )}
        <Descriptions.Item label={t('sharing.col.period')}>{periodLabel(t, doc.period)}</Descriptions.Item>
        <Descriptions.Item label={t('sharing.col.rate')}>{doc.expectedCallRate ? t('sharing.rate', { n: doc.expectedCallRate }) : '—'}</Descriptions.Item>
        {r.reason && (
          <Descriptions.Item label={t('sharing.detail.reason')} span={2}>
            {r.reason}
          </Descriptions.Item>
        )}
        {r.dispute && (
          <Descriptions.Item label={t('sharing.detail.dispute')} span={2}>
            {r.dispute.reason}
            {r.dispute.legalBasis ? `（${r.dispute.legalBasis}）` : ''}
          </Descriptions.Item>
        )}
      </Descriptions>
      {r.grant && (
        <section className="panel">
          <h2>{t('sharing.detail.grant')}</h2>
          <GrantTerms g={r.grant} />
        </section>
      )}
      <section className="panel">
        <h2>{t('sharing.detail.steps')}</h2>
        <Timeline
          items={r.steps.map((s) => ({
            color: s.late ? 'red' : s.to === 'granted' ? 'green' : 'blue',
            children: (
              <div>
                <strong>{stateLabel(t, s.to)}</strong> · {formatDateTime(s.at)} · {s.automatic ? t('sharing.detail.auto') : s.by}
                {s.late && (
                  <Tag color="red" style={{ marginInlineStart: 8 }}>
                    {t('sharing.detail.late')}
                  </Tag>
                )}
                {s.note && <div className="step-note">{s.note}</div>}
              </div>
            ),
          }))}
        />
      </section>
    </>
  );
}
