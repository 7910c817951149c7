import { Collapse, Empty } from 'antd';
import { Link } from 'react-router';
import { DatasetCard } from '../../components/DatasetCard.tsx';
import { Loading } from '../../components/Loading.tsx';
import { ProblemAlert } from '../../components/ProblemAlert.tsx';
import { useI18n } from '../../i18n/i18n.tsx';
import { useDepartmentDatasets, useOpenDepartments } from './api.ts';

function DepartmentDatasets({ id }: { id: string }) {
  const { t } = useI18n();
  const q = useDepartmentDatasets(id);
  if (q.isError) return <ProblemAlert error={q.error} onRetry={() => q.refetch()} />;
  if (q.isPending) return <Loading />;
  return (
    <>
      <ul className="dataset-list">
        {q.data.items.map((d) => (
          <li key={d.code}>
            <DatasetCard d={d} headingLevel={2} />
          </li>
        ))}
      </ul>
      <Link to={`/search?department=${id}`}>{t('departments.all')}</Link>
    </>
  );
}

/** 部门: who opens data, and what each opens. */
export function DepartmentsPage() {
  const { t, number } = useI18n();
  const q = useOpenDepartments();
  const departments = q.data?.facets?.department ?? [];
  return (
    <div>
      <h1 className="page-title">{t('departments.heading')}</h1>
      <p>{t('departments.lead')}</p>
      {q.isError ? (
        <ProblemAlert error={q.error} onRetry={() => q.refetch()} />
      ) : q.isPending ? (
        <Loading rows={8} />
      ) : departments.length === 0 ? (
        <Empty description={t('departments.empty')} />
      ) : (
        <Collapse
          className="departments"
          items={departments.map((d) => ({
            key: String(d.value),
            label: (
              <span>
                <strong>{d.label}</strong>
                <span className="facet-count">{t('departments.count', { n: number(d.count) })}</span>
              </span>
            ),
            children: <DepartmentDatasets id={String(d.value)} />,
          }))}
        />
      )}
    </div>
  );
}
