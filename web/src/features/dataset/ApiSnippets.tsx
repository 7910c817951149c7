import { Alert, Button, Select, Tabs } from 'antd';
import { useState, type ReactNode } from 'react';
import { Link } from 'react-router';
import { Field } from '../../components/Field.tsx';
import { useI18n } from '../../i18n/i18n.tsx';
import { isActive, useDeveloperKeys } from '../developers/api.ts';
import { rememberedKey } from '../session/keyStore.ts';
import { may, useMe } from '../session/api.ts';
import { datasetApi, type Dataset } from './api.ts';
import { downloadUrl } from './Downloads.tsx';
import { toApiParams, rowQueryString, type RowQuery } from '../../components/preview/rowQuery.ts';

function Snippet({ code }: { code: string }) {
  const { t } = useI18n();
  const [copied, setCopied] = useState(false);
  return (
    <div className="snippet">
      <pre tabIndex={0}>
        <code>{code}</code>
      </pre>
      <Button size="small" className="copy" onClick={() => navigator.clipboard?.writeText(code).then(() => setCopied(true))}>
        {copied ? t('api.copied') : t('api.copy')}
      </Button>
    </div>
  );
}

const py = (s: string) => JSON.stringify(s);

/** Stands in the snippets for a key whose secret this page does not know. */
const KEY_PLACEHOLDER = 'YOUR_KEY';

/**
 * The signed-in developer's key for the snippets: one of their active keys, chosen here; its secret
 * is known only if it was made in this browser tab (the API shows a secret once).
 */
function useSnippetKey(): { secret: string | null; picker: ReactNode } {
  const { t } = useI18n();
  const me = useMe().data;
  const developer = may(me, 'listDeveloperKeys');
  const keys = useDeveloperKeys(developer);
  const active = (keys.data?.items ?? []).filter(isActive);
  const [chosen, setChosen] = useState<number | null>(null);
  if (!developer) {
    return {
      secret: null,
      picker: (
        <p className="hint">
          {t('api.noKey')} <Link to="/developers">{t('dev.nav')}</Link>
        </p>
      ),
    };
  }
  if (!active.length) {
    return { secret: null, picker: <Alert type="info" showIcon message={t('api.createKey')} action={<Link to="/developers">{t('dev.nav')}</Link>} /> };
  }
  // by default the newest key whose secret this tab knows (the one just made), else the newest
  const id = chosen ?? ([...active].reverse().find((k) => rememberedKey(k.id)) ?? active[active.length - 1]).id;
  const secret = rememberedKey(id);
  const key = active.find((k) => k.id === id);
  return {
    secret: secret ?? KEY_PLACEHOLDER,
    picker: (
      <div className="snippet-key">
        <Field label={t('api.key')}>
          {(fid) => <Select id={fid} value={id} onChange={setChosen} style={{ minWidth: 240 }} options={active.map((k) => ({ value: k.id, label: `${k.name} (${k.prefix}…)` }))} />}
        </Field>
        {!secret && key && <p className="hint">{t('api.keyUnknown', { name: key.name, prefix: key.prefix, placeholder: KEY_PLACEHOLDER })}</p>}
      </div>
    ),
  };
}

/** How to get the same rows from a program: curl, Python (requests, pandas, pyarrow) and JavaScript fetch, with the developer's key when signed in. */
export function ApiSnippets({ dataset, query }: { dataset: Dataset; query: RowQuery }) {
  const { t } = useI18n();
  const { secret, picker } = useSnippetKey();
  const origin = window.location.origin;
  const rowsUrl = `${origin}${datasetApi(dataset.code).rows}`;
  const params = { ...toApiParams(query), limit: '100' };
  const qs = rowQueryString(query, { limit: '100' });
  const csv = origin + downloadUrl(dataset.code, 'csv', query).replace('&bom=1', '').replace('&header=label', '');
  const arrow = origin + downloadUrl(dataset.code, 'arrow', query);
  const pyParams = Object.entries(params).map(([k, v]) => `    ${py(k)}: ${py(v)},`).join('\n');
  const auth = secret ? `Bearer ${secret}` : null;
  const pyHeaders = auth ? `headers = {"Authorization": ${py(auth)}}\n\n` : '';
  const pyHeaderArg = auth ? `,\n    headers=headers` : '';
  const snippets = [
    { key: 'curl', label: 'curl', code: `curl -sg${auth ? ` -H '${`Authorization: ${auth}`}'` : ''} '${rowsUrl}?${qs}'` },
    { key: 'python', label: 'Python requests', code: `import requests\n\n${pyHeaders}res = requests.get(\n    ${py(rowsUrl)},\n    params={\n${pyParams}\n    }${pyHeaderArg},\n)\nres.raise_for_status()\nfor row in res.json()["items"]:\n    print(row)` },
    { key: 'pandas', label: 'Python pandas', code: `import pandas as pd\n\n${pyHeaders}df = pd.read_csv(${py(csv)}${auth ? ', storage_options=headers' : ''})\nprint(df.head())` },
    {
      key: 'pyarrow',
      label: 'Python pyarrow',
      code: `import pyarrow as pa\nimport requests\n\n${pyHeaders}# Arrow IPC stream: typed columns (integers, decimals as text, dates)\nres = requests.get(${py(arrow)}${pyHeaderArg.replace('\n    ', ' ')})\nres.raise_for_status()\ntable = pa.ipc.open_stream(res.content).read_all()\nprint(table.num_rows, table.schema)`,
    },
    {
      key: 'fetch',
      label: 'JavaScript fetch',
      code: `const res = await fetch(${JSON.stringify(`${rowsUrl}?${qs}`)}${auth ? `, {\n  headers: { Authorization: ${JSON.stringify(auth)} },\n}` : ''});\nif (!res.ok) throw new Error(await res.text());\nconst { items, next } = await res.json();\nconsole.log(items);`,
    },
  ];
  const links = [
    { href: '/catalog.jsonld', label: t('api.dcat') },
    { href: '/catalog.ttl', label: t('api.dcatTtl') },
    ...(dataset.links.datapackage ? [{ href: datasetApi(dataset.code).datapackage, label: t('api.datapackage') }] : []),
    { href: `/api/3/action/package_show?id=${encodeURIComponent(dataset.code)}`, label: t('api.ckan') },
  ];
  return (
    <div>
      <p>{t('api.lead')}</p>
      {picker}
      <Tabs items={snippets.map((s) => ({ key: s.key, label: s.label, children: <Snippet code={s.code} /> }))} />
      <h3 style={{ fontSize: 15 }}>{t('api.standards')}</h3>
      <ul className="link-list">
        {links.map((l) => (
          <li key={l.href}>
            <a href={l.href}>{l.label}</a> <code>{l.href}</code>
          </li>
        ))}
      </ul>
    </div>
  );
}
