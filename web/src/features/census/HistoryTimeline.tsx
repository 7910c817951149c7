import { Empty, Tag, Timeline } from 'antd';
import type { RJSFSchema } from '@rjsf/utils';
import { ProblemAlert } from '../../components/ProblemAlert.tsx';
import { Loading } from '../../components/Loading.tsx';
import { formatDateTime } from '../../i18n/format.ts';
import { useI18n } from '../../i18n/i18n.tsx';
import type { MessageKey } from '../../i18n/messages.ts';
import { useHistory } from './api.ts';
import { diffDocs, type Change } from './diff.ts';
import type { CensusKind } from './kinds.ts';
import { resolve } from './schemaUi.ts';

const SHOWN = 12;

/** "信息项 › 第 3 项 › 信息项名称" for a pointer, from the schema's titles. */
function pathLabel(path: string, schema: RJSFSchema | undefined, t: (k: MessageKey, v?: Record<string, string | number>) => string): string {
  if (!schema) return path;
  const out: string[] = [];
  let node: RJSFSchema | undefined = schema;
  for (const seg of path.split('/').slice(1)) {
    node = node ? resolve(node, schema) : undefined;
    if (/^\d+$/.test(seg) && node?.type === 'array') {
      out.push(t('census.items.row', { n: Number(seg) + 1 }));
      node = node.items as RJSFSchema | undefined;
    } else {
      const child = (node?.properties as Record<string, RJSFSchema> | undefined)?.[seg];
      const resolved = child ? resolve(child, schema) : undefined;
      out.push(String(resolved?.title ?? seg));
      node = child;
    }
  }
  return out.join(' › ');
}

function show(v: unknown): string {
  const s = typeof v === 'string' ? v : JSON.stringify(v);
  return s.length > 60 ? `${s.slice(0, 57)}…` : s;
}

/** Every version and step of an entry, newest first, each with what it changed against the version before. */
export function HistoryTimeline({ kind, id, schema }: { kind: CensusKind; id: number; schema?: RJSFSchema }) {
  const { t } = useI18n();
  const q = useHistory(kind, id);
  if (q.isPending) return <Loading rows={3} />;
  if (q.isError) return <ProblemAlert error={q.error} onRetry={() => void q.refetch()} />;
  const items = q.data.items;
  if (items.length === 0) return <Empty description={t('census.historyEmpty')} />;
  let previous: unknown = undefined;
  const entries = items.map((h) => {
    const changes: Change[] | null = h.doc ? (previous === undefined ? [] : diffDocs(previous, h.doc)) : null;
    if (h.doc) previous = h.doc;
    return { h, changes };
  });
  return (
    <Timeline
      className="census-history"
      items={entries.reverse().map(({ h, changes }) => ({
        key: `${h.version}-${h.action}-${h.at}`,
        children: (
          <div>
            <div>
              <strong>{t(`census.action.${h.action}` as MessageKey)}</strong> <Tag>{t('census.version', { v: h.version })}</Tag>
              <Tag>{t(`census.status.${h.status}` as MessageKey)}</Tag>
            </div>
            <div className="census-history-by">{t('census.by', { who: h.by, at: formatDateTime(h.at) })}</div>
            {h.note && <div>{h.note}</div>}
            {changes && changes.length > 0 && (
              <details>
                <summary>{t('census.changes', { n: changes.length })}</summary>
                <ul className="census-diff">
                  {changes.slice(0, SHOWN).map((c) => (
                    <li key={c.path}>
                      <span className={`census-diff-${c.kind}`}>{t(`census.${c.kind}`)}</span> {pathLabel(c.path, schema, t)}
                      {c.kind === 'changed' && (
                        <>
                          ：<del>{show(c.before)}</del> → <ins>{show(c.after)}</ins>
                        </>
                      )}
                      {c.kind === 'added' && <>：<ins>{show(c.after)}</ins></>}
                      {c.kind === 'removed' && <>：<del>{show(c.before)}</del></>}
                    </li>
                  ))}
                  {changes.length > SHOWN && <li>…</li>}
                </ul>
              </details>
            )}
            {changes && changes.length === 0 && h.action !== 'create' && <div className="census-history-by">{t('census.noChanges')}</div>}
          </div>
        ),
      }))}
    />
  );
}
