import { useI18n } from '../../i18n/i18n.tsx';
import { ResourceQueue } from '../work/ResourceQueue.tsx';

/** The authority's publish queue: approved entries of every department, to publish (with their code) or return. */
export function PublishQueuePage() {
  const { t } = useI18n();
  return (
    <>
      <h1 className="page-title">{t('oversight.publish.title')}</h1>
      <p>{t('oversight.publish.lead')}</p>
      <ResourceQueue status="approved" steps={['publish', 'return']} label={t('oversight.publish.title')} />
    </>
  );
}
