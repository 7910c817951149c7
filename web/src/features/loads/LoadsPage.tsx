import { Alert, Button, Checkbox, Empty, Form, InputNumber, Popconfirm, Progress, Radio, Select, Table, Tag, Upload, App as AntApp } from 'antd';
import { useState } from 'react';
import { useSearchParams } from 'react-router';
import { useQueryClient } from '@tanstack/react-query';
import { Loading } from '../../components/Loading.tsx';
import { ProblemAlert } from '../../components/ProblemAlert.tsx';
import { useI18n } from '../../i18n/i18n.tsx';
import type { MessageKey } from '../../i18n/messages.ts';
import { formatDateTime } from '../../i18n/format.ts';
import { useMe } from '../session/api.ts';
import { loadKeys, rejectsUrl, uploadExtract, useLoad, useLoads, useOwnResources, useRejects, useRestoreVersion, useVersions, type Load, type LoadOptions } from './api.ts';

const megabytes = (n: number) => `${(n / 2 ** 20).toFixed(1)} MB`;

/** 数据上传: a registrar picks one of the department's resources, uploads an extract and watches it checked and stored. */
export function LoadsPage() {
  const { t } = useI18n();
  const me = useMe().data!;
  const [params, setParams] = useSearchParams();
  const resourceId = params.get('resource') ? Number(params.get('resource')) : null;
  const resources = useOwnResources(me.departmentId);
  if (resources.isPending) return <Loading />;
  if (resources.isError) return <ProblemAlert error={resources.error} onRetry={() => resources.refetch()} />;
  return (
    <>
      <h1 className="page-title">{t('loads.title')}</h1>
      <p>{t('loads.lead')}</p>
      {resources.data.items.length === 0 ? (
        <Empty description={t('loads.noResources')} />
      ) : (
        <div className="panel">
          <label htmlFor="load-resource" className="field-label">
            {t('loads.resource')}
          </label>
          <Select
            id="load-resource"
            showSearch
            optionFilterProp="label"
            style={{ width: '100%', maxWidth: 560 }}
            placeholder={t('loads.pickResource')}
            value={resourceId ?? undefined}
            onChange={(id: number) => setParams({ resource: String(id) })}
            options={resources.data.items.map((r) => ({ value: r.id, label: r.code ? `${r.name}（${r.code}）` : r.name }))}
          />
        </div>
      )}
      {resourceId !== null && <ResourceLoads key={resourceId} resourceId={resourceId} />}
    </>
  );
}

function ResourceLoads({ resourceId }: { resourceId: number }) {
  const [followed, setFollowed] = useState<number | null>(null);
  return (
    <>
      <UploadPanel resourceId={resourceId} onStarted={setFollowed} />
      {followed !== null && <FollowedLoad resourceId={resourceId} id={followed} />}
      <Versions resourceId={resourceId} />
      <History resourceId={resourceId} />
    </>
  );
}

function UploadPanel({ resourceId, onStarted }: { resourceId: number; onStarted: (id: number) => void }) {
  const { t } = useI18n();
  const client = useQueryClient();
  const [file, setFile] = useState<File | null>(null);
  const [options, setOptions] = useState<LoadOptions>({ mode: 'replace', maxErrors: 0, allowEmpty: false });
  const [sent, setSent] = useState<{ sent: number; total: number } | null>(null);
  const [error, setError] = useState<unknown>(null);
  const start = async () => {
    if (!file) return;
    setError(null);
    setSent({ sent: 0, total: file.size });
    try {
      const load = await uploadExtract(resourceId, file, options, (s, total) => setSent({ sent: s, total }));
      onStarted(load.id);
      void client.invalidateQueries({ queryKey: loadKeys.loads(resourceId) });
    } catch (err) {
      setError(err);
    } finally {
      setSent(null);
    }
  };
  return (
    <section className="panel" aria-labelledby="upload-heading">
      <h2 id="upload-heading" className="section-title">
        {t('loads.upload')}
      </h2>
      <Form layout="vertical" onFinish={start}>
        <Form.Item label={t('loads.file')} required>
          <Upload.Dragger
            accept=".csv,.tsv,.txt,.xlsx,.ndjson,.jsonl,.json,.arrow,.arrows,.feather"
            maxCount={1}
            showUploadList={false}
            beforeUpload={(f) => {
              setFile(f);
              // held here and sent by the button, with the options chosen
              return false;
            }}
          >
            <p>{t('loads.fileHint')}</p>
            {file && <p className="upload-chosen">{t('loads.chosen', { name: file.name, size: megabytes(file.size) })}</p>}
          </Upload.Dragger>
        </Form.Item>
        <Form.Item label={t('loads.mode')}>
          <Radio.Group value={options.mode} onChange={(e) => setOptions({ ...options, mode: e.target.value })}>
            {(['replace', 'append', 'upsert'] as const).map((m) => (
              <Radio key={m} value={m}>
                {t(`loads.mode.${m}`)}
              </Radio>
            ))}
          </Radio.Group>
        </Form.Item>
        <Form.Item label={t('loads.maxErrors')} htmlFor="load-max-errors">
          <InputNumber id="load-max-errors" min={0} value={options.maxErrors} onChange={(v) => setOptions({ ...options, maxErrors: Number(v ?? 0) })} />
        </Form.Item>
        <Form.Item>
          <Checkbox checked={options.allowEmpty} onChange={(e) => setOptions({ ...options, allowEmpty: e.target.checked })}>
            {t('loads.allowEmpty')}
          </Checkbox>
        </Form.Item>
        {sent && (
          <div role="status" aria-live="polite">
            <Progress percent={Math.round((100 * sent.sent) / Math.max(sent.total, 1))} />
            <p>{t('loads.sending', { sent: megabytes(sent.sent), total: megabytes(sent.total) })}</p>
          </div>
        )}
        {error !== null && <ProblemAlert error={error} />}
        <Button type="primary" htmlType="submit" disabled={!file || sent !== null}>
          {t('loads.start')}
        </Button>
      </Form>
    </section>
  );
}

function FollowedLoad({ resourceId, id }: { resourceId: number; id: number }) {
  const { t, number } = useI18n();
  const client = useQueryClient();
  const load = useLoad(resourceId, id);
  const l = load.data;
  const done = l?.state === 'succeeded' || l?.state === 'failed';
  if (done) void client.invalidateQueries({ queryKey: loadKeys.versions(resourceId) });
  return (
    <section className="panel" aria-live="polite">
      {load.isError && <ProblemAlert error={load.error} />}
      {l && !done && (
        <div role="status">
          <Progress percent={Math.round(l.progress.percent ?? 0)} status="active" />
          <p>{l.state === 'queued' ? t('loads.queued') : t('loads.checking', { rows: number(l.progress.rowsRead ?? 0), speed: number(l.progress.rowsPerSecond ?? 0) })}</p>
        </div>
      )}
      {l?.state === 'succeeded' && <Alert type="success" showIcon message={t('loads.succeeded', { rows: number(l.rowsLoaded ?? 0), version: l.version ?? '' })} />}
      {l?.state === 'failed' && <Alert type="error" showIcon message={t('loads.failed', { reason: String((l.error as { message?: string } | null)?.message ?? '') })} />}
      {l && done && (l.rejected ?? 0) > 0 && <Rejects resourceId={resourceId} load={l} />}
    </section>
  );
}

function Rejects({ resourceId, load }: { resourceId: number; load: Load }) {
  const { t } = useI18n();
  const rejects = useRejects(resourceId, load);
  return (
    <>
      <h2 className="section-title">{t('loads.rejects')}</h2>
      <p>{t('loads.rejectsLead', { n: load.rejected ?? 0 })}</p>
      <p>
        <a href={rejectsUrl(resourceId, load.id)} download>
          {t('loads.downloadRejects')}
        </a>
      </p>
      {rejects.isError && <ProblemAlert error={rejects.error} />}
      <Table
        size="small"
        loading={rejects.isPending}
        rowKey={(r) => `${r.line}:${r.column}:${r.rule}`}
        dataSource={rejects.data ?? []}
        scroll={{ x: true }}
        pagination={{ pageSize: 20, hideOnSinglePage: true }}
        columns={[
          { title: t('loads.col.line'), dataIndex: 'line' },
          { title: t('loads.col.column'), dataIndex: 'header' },
          { title: t('loads.col.value'), dataIndex: 'value' },
          { title: t('loads.col.rule'), dataIndex: 'rule' },
          { title: t('loads.col.message'), dataIndex: 'message' },
        ]}
      />
    </>
  );
}

function Versions({ resourceId }: { resourceId: number }) {
  const { t, number } = useI18n();
  const { message } = AntApp.useApp();
  const versions = useVersions(resourceId);
  const restore = useRestoreVersion(resourceId);
  const client = useQueryClient();
  return (
    <section className="panel" aria-labelledby="versions-heading">
      <h2 id="versions-heading" className="section-title">
        {t('loads.versions')}
      </h2>
      {versions.isError && <ProblemAlert error={versions.error} />}
      {restore.isError && <ProblemAlert error={restore.error} />}
      <Table
        size="small"
        loading={versions.isPending}
        rowKey="version"
        dataSource={versions.data?.items ?? []}
        pagination={false}
        scroll={{ x: true }}
        locale={{ emptyText: t('loads.none') }}
        columns={[
          { title: t('loads.col.version'), dataIndex: 'version', render: (v: number) => (v === versions.data?.current ? <Tag color="green">{`${v} · ${t('loads.current')}`}</Tag> : v) },
          { title: t('loads.col.rows'), dataIndex: 'rows', render: (n: number) => number(n) },
          { title: t('loads.col.createdAt'), dataIndex: 'createdAt', render: (d: string) => formatDateTime(d) },
          {
            title: '',
            key: 'restore',
            render: (_: unknown, v) =>
              v.version !== versions.data?.current && !v.droppedAt ? (
                <Popconfirm
                  title={t('loads.restoreConfirm', { version: v.version })}
                  onConfirm={() =>
                    restore.mutate(v.version, {
                      onSuccess: () => {
                        void message.success(t('loads.restored', { version: v.version }));
                        void client.invalidateQueries({ queryKey: loadKeys.versions(resourceId) });
                      },
                    })
                  }
                >
                  <Button size="small">{t('loads.restore')}</Button>
                </Popconfirm>
              ) : null,
          },
        ]}
      />
    </section>
  );
}

function History({ resourceId }: { resourceId: number }) {
  const { t, number } = useI18n();
  const loads = useLoads(resourceId);
  return (
    <section className="panel" aria-labelledby="history-heading">
      <h2 id="history-heading" className="section-title">
        {t('loads.history')}
      </h2>
      {loads.isError && <ProblemAlert error={loads.error} />}
      <Table
        size="small"
        loading={loads.isPending}
        rowKey="id"
        dataSource={loads.data?.items ?? []}
        pagination={{ pageSize: 10, hideOnSinglePage: true }}
        scroll={{ x: true }}
        locale={{ emptyText: t('loads.none') }}
        columns={[
          { title: t('loads.col.id'), dataIndex: 'id' },
          { title: t('loads.col.state'), dataIndex: 'state', render: (s: string) => <Tag color={s === 'succeeded' ? 'green' : s === 'failed' ? 'red' : 'blue'}>{t(`loads.state.${s}` as MessageKey)}</Tag> },
          { title: t('loads.col.fileName'), dataIndex: 'fileName' },
          { title: t('loads.col.rows'), dataIndex: 'rowsLoaded', render: (n: number | null) => number(n) },
          { title: t('loads.col.rejected'), dataIndex: 'rejected', render: (n: number | null) => number(n) },
          { title: t('loads.col.version'), dataIndex: 'version' },
          { title: t('loads.col.by'), dataIndex: 'by' },
          { title: t('loads.col.finishedAt'), dataIndex: 'finishedAt', render: (d: string | null) => formatDateTime(d) },
        ]}
      />
    </section>
  );
}
