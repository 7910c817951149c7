import { Alert, Button, Input, Space } from 'antd';
import { useMemo, useState } from 'react';
import { useParams, useSearchParams } from 'react-router';
import { Field } from '../../components/Field.tsx';
import { Loading } from '../../components/Loading.tsx';
import { PreviewTable } from '../../components/preview/PreviewTable.tsx';
import { readRowQuery, rowQueryString, writeRowQuery, type RowQuery } from '../../components/preview/rowQuery.ts';
import type { PreviewItem } from '../../components/preview/rows.ts';
import { ProblemAlert } from '../../components/ProblemAlert.tsx';
import { DOWNLOAD_FORMATS } from '../../i18n/labels.ts';
import { useI18n } from '../../i18n/i18n.tsx';
import { useGrant, useResource } from './api.ts';
import { GrantTerms } from './GrantTerms.tsx';
import { grantStatusLabel } from './labels.ts';

/** The purpose of this session of work, asked once while signed in (sessionStorage ends with the browser tab's session). */
const PURPOSE_KEY = 'odx.sharing.purpose';

type CatalogItem = { name: string; label: string; type: string; mask?: string; sensitivity?: string };

/**
 * Granted data in the portal's preview table: only the grant's items and rows (the server's grant
 * view decides; this page only labels the columns), each read sent with the purpose, which the
 * server records in the audit trail with the reader. A download grant downloads within the grant.
 */
export function SharedDataPage() {
  const { t } = useI18n();
  const id = Number(useParams().grantId);
  const [params, setParams] = useSearchParams();
  const grant = useGrant(id);
  const resource = useResource(grant.data?.resource.id);
  const [purpose, setPurpose] = useState(() => sessionStorage.getItem(PURPOSE_KEY) ?? '');
  const [draft, setDraft] = useState(purpose);
  const [asking, setAsking] = useState(purpose.length < 2);
  const query = useMemo(() => readRowQuery(params), [params]);

  if (grant.isError) return <ProblemAlert error={grant.error} onRetry={() => grant.refetch()} />;
  if (!grant.data || resource.isPending) return <Loading />;
  const g = grant.data;
  const code = g.resource.code ?? String(g.resource.id);
  const doc = resource.data?.published?.doc as { items: CatalogItem[] } | undefined;
  const raw = new Set(g.raw ?? []);
  const items: PreviewItem[] = g.items.map((name) => {
    const i = doc?.items.find((x) => x.name === name);
    const masked = i && !raw.has(name) ? (i.mask ?? (i.sensitivity === 'personal' ? 'default' : null)) : null;
    return { name, label: i?.label ?? name, type: i?.type ?? 'C', masked };
  });
  const change = (changes: Record<string, string | null>) => {
    const next = new URLSearchParams(params);
    for (const [k, v] of Object.entries(changes)) {
      if (v) next.set(k, v);
      else next.delete(k);
    }
    setParams(next, { replace: !('pages' in changes) });
  };
  const setQuery = (q: RowQuery) => {
    const next = writeRowQuery(params, q);
    next.delete('pages');
    setParams(next);
  };
  const base = `/api/v1/shared/${encodeURIComponent(code)}`;

  return (
    <>
      <h1 className="page-title">{t('sharing.data.title', { name: g.resource.name ?? code })}</h1>
      <p>{t('sharing.data.lead')}</p>
      <GrantTerms g={g} />
      {!g.live ? (
        <Alert type="warning" showIcon message={t('sharing.data.notLive', { status: grantStatusLabel(t, g.status) })} style={{ marginTop: 12 }} />
      ) : g.mode === 'verify' ? (
        <Alert type="info" showIcon message={t('sharing.data.verifyOnly')} style={{ marginTop: 12 }} />
      ) : asking ? (
        <form
          className="panel"
          aria-labelledby="purpose-title"
          onSubmit={(e) => {
            e.preventDefault();
            const p = draft.trim();
            if (p.length < 2) return;
            sessionStorage.setItem(PURPOSE_KEY, p);
            setPurpose(p);
            setAsking(false);
          }}
        >
          <h2 id="purpose-title">{t('sharing.data.purposeTitle')}</h2>
          <p>{t('sharing.data.purposeLead')}</p>
          <Field label={t('sharing.data.purpose')}>{(fid) => <Input id={fid} value={draft} onChange={(e) => setDraft(e.target.value)} maxLength={500} />}</Field>
          <Button type="primary" htmlType="submit" disabled={draft.trim().length < 2}>
            {t('sharing.data.start')}
          </Button>
        </form>
      ) : (
        <section className="panel">
          <p>
            {t('sharing.data.purposeNow', { p: purpose })}{' '}
            <Button size="small" onClick={() => setAsking(true)}>
              {t('sharing.data.changePurpose')}
            </Button>
          </p>
          {g.mode === 'query' ? (
            <PreviewTable items={items} totalRows={null} source={{ path: `${base}/rows`, params: { purpose } }} query={query} params={params} setQuery={setQuery} setPaging={change} />
          ) : (
            <>
              <p>{t('sharing.data.downloadLead')}</p>
              <Space wrap>
                {DOWNLOAD_FORMATS.map((f) => (
                  <Button key={f} href={`${base}/download?${rowQueryString(query, { format: f, purpose })}`}>
                    {t('sharing.data.download', { format: f.toUpperCase() })}
                  </Button>
                ))}
              </Space>
            </>
          )}
        </section>
      )}
    </>
  );
}
