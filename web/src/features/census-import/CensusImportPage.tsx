import { Alert, Button, Form, Radio, Table } from 'antd';
import { useState } from 'react';
import { ApiError } from '../../api/client.ts';
import { ProblemAlert } from '../../components/ProblemAlert.tsx';
import { useI18n } from '../../i18n/i18n.tsx';
import { useDepartment } from '../console/api.ts';
import { useMe } from '../session/api.ts';
import { FilePicker } from './FilePicker.tsx';
import { KINDS, templateUrl, useCensusImport, type ImportProblem, type ListKind } from './api.ts';

/** 普查导入: download a template, upload it filled, and see every bad row — nothing is stored until the whole file is good. */
export function CensusImportPage() {
  const { t } = useI18n();
  const me = useMe().data!;
  const department = useDepartment(me.departmentId).data;
  const [kind, setKind] = useState<ListKind>('systems');
  const [file, setFile] = useState<File | null>(null);
  const [items, setItems] = useState<File | null>(null);
  const run = useCensusImport();
  const kindName = t(`censusImport.kind.${kind}`);
  const refused = run.error instanceof ApiError && run.error.code === 'import_rejected' ? (run.error.problems as ImportProblem[]) : null;
  if (me.departmentId === null) return <Alert type="info" message={t('censusImport.noDepartment')} />;
  return (
    <>
      <h1 className="page-title">{t('censusImport.title')}</h1>
      <p>{t('censusImport.lead')}</p>
      <div className="panel">
        <Form layout="vertical" onFinish={() => department && file && run.mutate({ kind, department: department.uscc, file, ...(items ? { items } : {}) })}>
          <Form.Item label={t('censusImport.kind')}>
            <Radio.Group
              value={kind}
              onChange={(e) => {
                setKind(e.target.value);
                run.reset();
              }}
            >
              {KINDS.map((k) => (
                <Radio.Button key={k} value={k}>
                  {t(`censusImport.kind.${k}`)}
                </Radio.Button>
              ))}
            </Radio.Group>
          </Form.Item>
          <p>
            <a href={templateUrl(kind)} download>
              {t('censusImport.template', { kind: kindName })}
            </a>
          </p>
          <Form.Item label={t('censusImport.file')} htmlFor="census-file" required>
            <FilePicker id="census-file" accept=".xlsx,.csv" file={file} onFile={setFile} />
          </Form.Item>
          {kind === 'resources' && file?.name.toLowerCase().endsWith('.csv') && (
            <Form.Item label={t('censusImport.items')} htmlFor="census-items">
              <FilePicker id="census-items" accept=".csv" file={items} onFile={setItems} />
            </Form.Item>
          )}
          <Button type="primary" htmlType="submit" disabled={!file || !department} loading={run.isPending}>
            {t('censusImport.submit')}
          </Button>
        </Form>
      </div>
      {run.data && (
        <Alert
          type="success"
          showIcon
          role="status"
          message={t('censusImport.done', { created: run.data.created, kind: kindName, items: run.data.items ? t('censusImport.doneItems', { n: run.data.items }) : '' })}
        />
      )}
      {run.isError && !refused && <ProblemAlert error={run.error} />}
      {refused && (
        <section className="panel" aria-labelledby="refused-heading">
          <h2 id="refused-heading" className="section-title" role="alert">
            {t('censusImport.refused', { n: refused.length })}
          </h2>
          <Table
            size="small"
            rowKey={(p) => `${p.sheet}:${p.row}:${p.column}:${p.message}`}
            dataSource={refused}
            pagination={{ pageSize: 50, hideOnSinglePage: true }}
            scroll={{ x: true }}
            columns={[
              { title: t('censusImport.col.sheet'), dataIndex: 'sheet' },
              { title: t('censusImport.col.row'), dataIndex: 'row', render: (r: number) => (r > 0 ? r : '') },
              { title: t('censusImport.col.column'), dataIndex: 'column' },
              { title: t('censusImport.col.value'), dataIndex: 'value' },
              { title: t('censusImport.col.reason'), key: 'reason', dataIndex: 'message' },
            ]}
          />
        </section>
      )}
    </>
  );
}
