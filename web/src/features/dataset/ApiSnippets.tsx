import { Button, Tabs } from 'antd';
import { useState } from 'react';
import { useI18n } from '../../i18n/i18n.tsx';
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

/** How to get the same rows from a program: curl, Python (requests, pandas) and JavaScript fetch. */
export function ApiSnippets({ dataset, query }: { dataset: Dataset; query: RowQuery }) {
  const { t } = useI18n();
  const origin = window.location.origin;
  const rowsUrl = `${origin}${datasetApi(dataset.code).rows}`;
  const params = { ...toApiParams(query), limit: '100' };
  const qs = rowQueryString(query, { limit: '100' });
  const csv = origin + downloadUrl(dataset.code, 'csv', query).replace('&bom=1', '').replace('&header=label', '');
  const pyParams = Object.entries(params).map(([k, v]) => `    ${py(k)}: ${py(v)},`).join('\n');
  const snippets = [
    { key: 'curl', label: 'curl', code: `curl -sg '${rowsUrl}?${qs}'` },
    { key: 'python', label: 'Python requests', code: `import requests\n\nres = requests.get(\n    ${py(rowsUrl)},\n    params={\n${pyParams}\n    },\n)\nres.raise_for_status()\nfor row in res.json()["items"]:\n    print(row)` },
    { key: 'pandas', label: 'Python pandas', code: `import pandas as pd\n\ndf = pd.read_csv(${py(csv)})\nprint(df.head())` },
    { key: 'fetch', label: 'JavaScript fetch', code: `const res = await fetch(${JSON.stringify(`${rowsUrl}?${qs}`)});\nif (!res.ok) throw new Error(await res.text());\nconst { items, next } = await res.json();\nconsole.log(items);` },
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
