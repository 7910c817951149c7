/**
 * One census entry: the form generated from its catalog-schemas/ schema (react-jsonschema-form with
 * the Ant Design theme and the precompiled validator), save, submit and withdraw, and its history.
 * The form is the schema's: a field the table or a widget draws differently is still that schema's field.
 */
import Form from '@rjsf/antd';
import type { ErrorSchema, RJSFValidationError } from '@rjsf/utils';
import { useQuery } from '@tanstack/react-query';
import { Alert, App as AntApp, Button, Card, Space, Tag } from 'antd';
import { useMemo, useRef, useState } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import { ApiError, apiGet } from '../../api/client.ts';
import type { Schema } from '../../api/types.ts';
import { Loading } from '../../components/Loading.tsx';
import { ProblemAlert } from '../../components/ProblemAlert.tsx';
import { useI18n } from '../../i18n/i18n.tsx';
import type { MessageKey } from '../../i18n/messages.ts';
import { useMe } from '../session/api.ts';
import { useEntry, useSaveEntry, useStep } from './api.ts';
import { HistoryTimeline } from './HistoryTimeline.tsx';
import { ItemsField } from './ItemsField.tsx';
import { EDITABLE, KIND_CONFIG, type CensusKind } from './kinds.ts';
import { uiSchemaFor } from './schemaUi.ts';
import { CENSUS_TEMPLATES, CENSUS_WIDGETS } from './templates.tsx';
import { problemsToErrorSchema } from './serverErrors.ts';
import { loadCensusSchema } from './validator.ts';

type Doc = Record<string, unknown>;
const FIELDS = { 'census-items': ItemsField };
const DEFAULTS = { arrayMinItems: { populate: 'never' }, emptyObjectFields: 'skipEmptyDefaults' } as const;

function useOwnUscc(): string | undefined {
  const me = useMe().data;
  const id = me?.departmentId ?? null;
  const q = useQuery({
    queryKey: ['departments', id],
    queryFn: ({ signal }) => apiGet<Schema<'DepartmentRecord'>>(`/api/v1/departments/${id}`, {}, signal),
    enabled: id !== null,
    staleTime: 10 * 60_000,
  });
  return q.data?.uscc;
}

function EntryForm({ kind }: { kind: CensusKind }) {
  const { t, lang } = useI18n();
  const { message } = AntApp.useApp();
  const navigate = useNavigate();
  const config = KIND_CONFIG[kind];
  const params = useParams();
  const id = params.id && /^\d+$/.test(params.id) ? Number(params.id) : null;
  const entry = useEntry(kind, id);
  const uscc = useOwnUscc();
  const compiled = useQuery({ queryKey: ['census-schema', kind, lang], queryFn: () => loadCensusSchema(kind, t, lang), staleTime: Infinity });
  const save = useSaveEntry(kind);
  const step = useStep(kind);
  // what the person typed since the last save: kept outside React state, so a keystroke re-renders the
  // form (its own state) but not this page, and the form is not handed a new formData to compare and
  // recompute each time; a re-render for another reason (saving, errors) hands it what it already has
  const draft = useRef<Doc | null>(null);
  const [serverErrors, setServerErrors] = useState<{ errors: ErrorSchema; rest: string[] } | null>(null);
  const [clientErrors, setClientErrors] = useState<RJSFValidationError[]>([]);
  const [failure, setFailure] = useState<unknown>(null);
  const then = useRef<'save' | 'submit'>('save');

  const schema = compiled.data?.schema;
  const uiSchema = useMemo(() => (schema ? { ...uiSchemaFor(schema, schema, lang, kind === 'resource' ? { items: 'census-items' } : {}), 'ui:submitButtonOptions': { norender: true } } : {}), [schema, lang, kind]);

  if (compiled.isError) return <ProblemAlert error={compiled.error} />;
  if (!compiled.data || (id !== null && entry.isPending)) return <Loading rows={8} />;
  if (entry.isError) return <ProblemAlert error={entry.error} onRetry={() => void entry.refetch()} />;

  const record = entry.data;
  const status = record?.status ?? null;
  const stored = (record?.doc ?? undefined) as Doc | undefined;
  const formData: Doc = draft.current ?? stored ?? (uscc ? { [config.ownerField]: uscc, ...(kind === 'resource' ? { items: [] } : {}) } : {});
  const editable = status === null || EDITABLE[kind].includes(status);

  const transformErrors = (errors: RJSFValidationError[]) => errors.filter((e) => e.message);

  const onSubmit = async (doc: Doc) => {
    setServerErrors(null);
    setClientErrors([]);
    setFailure(null);
    try {
      const saved = await save.mutateAsync({ id, version: record?.version, doc });
      draft.current = null;
      if (then.current === 'submit' && config.lifecycle) {
        await step.mutateAsync({ id: saved.id, step: 'submit' });
        void message.success(t('census.submitted'));
      } else void message.success(t('census.saved', { v: saved.version ?? 1 }));
      if (id === null) navigate(`/console/${config.plural}/${saved.id}`, { replace: true });
    } catch (err) {
      if (err instanceof ApiError && err.problems.length > 0) setServerErrors(problemsToErrorSchema(err.problems));
      else setFailure(err);
    }
  };

  const withdraw = async () => {
    setFailure(null);
    try {
      await step.mutateAsync({ id: id!, step: 'withdraw' });
      void message.success(t('census.withdrawn'));
    } catch (err) {
      setFailure(err);
    }
  };

  const busy = save.isPending || step.isPending;
  return (
    <div className="census-entry">
      <p>
        <Link to={`/console/${config.plural}`}>← {t('census.backToList', { list: t(config.list) })}</Link>
      </p>
      <h1 className="page-title">
        {record ? record.name : t(config.create)} {status && <Tag className="census-status">{t(`census.status.${status}` as MessageKey)}</Tag>}
      </h1>
      {!editable && <Alert type="info" showIcon message={t('census.notEditable', { status: t(`census.status.${status}` as MessageKey) })} className="census-alert" />}
      {clientErrors.length > 0 && (
        <Alert
          type="error"
          showIcon
          role="alert"
          message={t('census.fixErrors', { n: clientErrors.length })}
          description={
            <ul className="census-error-list">
              {clientErrors.map((e, i) => (
                <li key={i}>{e.stack}</li>
              ))}
            </ul>
          }
          className="census-alert"
        />
      )}
      {serverErrors && (
        <Alert type="error" showIcon role="alert" message={t('census.serverErrors')} description={serverErrors.rest.length ? serverErrors.rest.join('；') : undefined} className="census-alert" />
      )}
      {failure !== null && (failure instanceof ApiError && failure.status === 409 ? <Alert type="error" showIcon message={t('census.conflict')} /> : <ProblemAlert error={failure} />)}
      <Card className="census-form-card">
        <Form
          schema={compiled.data.schema}
          validator={compiled.data.validator}
          uiSchema={uiSchema}
          fields={FIELDS}
          templates={CENSUS_TEMPLATES}
          widgets={CENSUS_WIDGETS}
          formData={formData}
          onChange={(e) => {
            draft.current = e.formData as Doc;
          }}
          onSubmit={(e) => void onSubmit(e.formData as Doc)}
          onError={setClientErrors}
          transformErrors={transformErrors}
          extraErrors={serverErrors?.errors}
          showErrorList={false}
          noHtml5Validate
          // a document holds what the person wrote: no empty lists or objects made up to reach a minItems
          experimental_defaultFormStateBehavior={DEFAULTS}
          disabled={!editable || busy}
          focusOnFirstError
        >
          <Space wrap className="census-actions">
            {editable && (
              <Button type={config.lifecycle ? 'default' : 'primary'} htmlType="submit" loading={busy && then.current === 'save'} onClick={() => (then.current = 'save')}>
                {config.lifecycle ? t('census.saveDraft') : t('census.save')}
              </Button>
            )}
            {config.lifecycle && editable && (
              <Button type="primary" htmlType="submit" loading={busy && then.current === 'submit'} onClick={() => (then.current = 'submit')}>
                {t('census.submit')}
              </Button>
            )}
            {config.lifecycle && status === 'submitted' && (
              <Button onClick={() => void withdraw()} loading={busy}>
                {t('census.withdraw')}
              </Button>
            )}
          </Space>
        </Form>
      </Card>
      {id !== null && (
        <section className="census-history-section" aria-labelledby="census-history-title">
          <h2 id="census-history-title">{t('census.history')}</h2>
          <HistoryTimeline kind={kind} id={id} schema={compiled.data.schema} />
        </section>
      )}
    </div>
  );
}

export const SystemEntryPage = () => <EntryForm kind="system" />;
export const ResourceEntryPage = () => <EntryForm kind="resource" />;
export const DemandEntryPage = () => <EntryForm kind="demand" />;
