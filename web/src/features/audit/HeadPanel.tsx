import { App, Button, Descriptions, Empty, Grid, Space, Table, Typography } from 'antd';
import { useState } from 'react';
import { usePaging } from '../../components/usePaging.ts';
import { CursorPager } from '../../components/CursorPager.tsx';
import { Loading } from '../../components/Loading.tsx';
import { ProblemAlert } from '../../components/ProblemAlert.tsx';
import { formatDateTime } from '../../i18n/format.ts';
import { useI18n } from '../../i18n/i18n.tsx';
import type { MessageKey } from '../../i18n/messages.ts';
import { may, useMe } from '../session/api.ts';
import { opensslCommands } from './offline.ts';
import { useAuditHead, useCheckpoints, useCreateCheckpoint, type Checkpoint, type SignedHead } from './api.ts';

/** Saves the signed head as a file the person keeps outside ODX. */
function saveHead(head: SignedHead) {
  const url = URL.createObjectURL(new Blob([JSON.stringify(head, null, 2)], { type: 'application/json' }));
  const a = document.createElement('a');
  a.href = url;
  a.download = `audit-head-${head.seq}.json`;
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

export function HeadPanel() {
  const { t } = useI18n();
  const head = useAuditHead();
  return (
    <>
      <section aria-labelledby="head-title" className="panel">
        <h2 id="head-title">{t('audit.head.title')}</h2>
        <p>{t('audit.head.lead')}</p>
        {head.isPending ? (
          <Loading rows={4} />
        ) : head.isError ? (
          <ProblemAlert error={head.error} onRetry={() => void head.refetch()} />
        ) : (
          <HeadView head={head.data} onRefresh={() => void head.refetch()} />
        )}
      </section>
      <Checkpoints />
    </>
  );
}

function HeadView({ head, onRefresh }: { head: SignedHead; onRefresh(): void }) {
  const { t } = useI18n();
  const [copied, setCopied] = useState(false);
  const commands = opensslCommands(head);
  const wide = Grid.useBreakpoint().sm !== false;
  return (
    <>
      <Descriptions size="small" column={1} bordered layout={wide ? 'horizontal' : 'vertical'} className="audit-head">
        <Descriptions.Item label={t('audit.head.seq')}>{head.seq}</Descriptions.Item>
        <Descriptions.Item label={t('audit.head.hash', { alg: head.hashAlgorithm })}>
          <code className="hash">{head.hash}</code>
        </Descriptions.Item>
        <Descriptions.Item label={t('audit.head.signedAt')}>{formatDateTime(head.signedAt)}</Descriptions.Item>
        <Descriptions.Item label={t('audit.head.algorithm')}>{head.algorithm}</Descriptions.Item>
        <Descriptions.Item label={`${t('audit.head.keyId')}（${t('audit.head.keyIdHint')}）`}>
          <code className="hash">{head.keyId}</code>
        </Descriptions.Item>
        <Descriptions.Item label={t('audit.head.signature')}>
          <code className="hash">{head.signature}</code>
        </Descriptions.Item>
        <Descriptions.Item label={t('audit.head.publicKey')}>
          <pre className="audit-json">{head.publicKey}</pre>
        </Descriptions.Item>
      </Descriptions>
      <Space wrap style={{ marginTop: 12 }}>
        <Button type="primary" onClick={() => saveHead(head)}>
          {t('audit.head.save')}
        </Button>
        <Button onClick={onRefresh}>{t('audit.head.refresh')}</Button>
      </Space>
      <h3 className="audit-offline-title">{t('audit.head.offline')}</h3>
      <p>{t('audit.head.offlineLead')}</p>
      <pre className="audit-commands" tabIndex={0} aria-label={t('audit.head.offline')}>
        {commands}
      </pre>
      <Button size="small" onClick={() => navigator.clipboard?.writeText(commands).then(() => setCopied(true), () => setCopied(false))}>
        {copied ? t('audit.copied') : t('audit.copy')}
      </Button>
      <Typography.Paragraph className="hint" style={{ marginTop: 8 }}>
        {t('audit.head.offlineOk')}
      </Typography.Paragraph>
    </>
  );
}

function Checkpoints() {
  const { t } = useI18n();
  const me = useMe().data;
  const { message } = App.useApp();
  const paging = usePaging('checkpoints');
  const list = useCheckpoints(paging.cursor);
  const create = useCreateCheckpoint();
  return (
    <section aria-labelledby="checkpoints-title" className="panel">
      <h2 id="checkpoints-title">{t('audit.checkpoints.title')}</h2>
      <p>{t('audit.checkpoints.lead')}</p>
      {may(me, 'createAuditCheckpoint') && (
        <Button
          loading={create.isPending}
          onClick={() => create.mutate(undefined, { onSuccess: (cp) => void message.success(t('audit.checkpoints.created', { id: cp.id, seq: cp.seq })) })}
          style={{ marginBottom: 12 }}
        >
          {t('audit.checkpoints.create')}
        </Button>
      )}
      {create.isError && <ProblemAlert error={create.error} />}
      {list.isPending ? (
        <Loading rows={3} />
      ) : list.isError ? (
        <ProblemAlert error={list.error} onRetry={() => void list.refetch()} />
      ) : list.data.items.length === 0 ? (
        <Empty description={t('audit.checkpoints.empty')} />
      ) : (
        <>
          <div className="table-scroll">
            <Table<Checkpoint>
              aria-label={t('audit.checkpoints.table')}
              rowKey="id"
              size="small"
              pagination={false}
              dataSource={list.data.items}
              scroll={{ x: 'max-content' }}
              columns={[
                { key: 'id', title: t('audit.checkpoints.id'), dataIndex: 'id', align: 'right' },
                { key: 'seq', title: t('audit.head.seq'), dataIndex: 'seq', align: 'right' },
                { key: 'signedAt', title: t('audit.head.signedAt'), render: (_, c) => formatDateTime(c.signedAt) },
                { key: 'reason', title: t('audit.checkpoints.reason'), render: (_, c) => t(`audit.checkpoints.reason.${c.reason}` as MessageKey) },
                { key: 'hash', title: t('audit.head.hash', { alg: list.data.items[0].hashAlgorithm }), render: (_, c) => <code className="hash-short">{c.hash.slice(0, 16)}…</code> },
                { key: 'keyId', title: t('audit.head.keyId'), render: (_, c) => <code className="hash-short">{c.keyId.slice(0, 16)}…</code> },
              ]}
            />
          </div>
          <CursorPager label={t('audit.checkpoints.pager')} page={paging.page} hasPrev={paging.hasPrev} next={list.data.next === null ? null : String(list.data.next)} onPrev={paging.onPrev} onNext={paging.onNext} />
        </>
      )}
    </section>
  );
}
