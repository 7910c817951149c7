import { App, Button, Input, Tree, TreeSelect } from 'antd';
import { useMemo, useState } from 'react';
import { Field } from '../../components/Field.tsx';
import { Loading } from '../../components/Loading.tsx';
import { ProblemAlert } from '../../components/ProblemAlert.tsx';
import { useI18n } from '../../i18n/i18n.tsx';
import { may, useMe } from '../session/api.ts';
import { classTree, useClassifications, useCreateClassification, type ClassNode } from './api.ts';

/** The nodes matching a search, with the ancestors that lead to them (a class is found where it sits). */
function filterTree(nodes: ClassNode[], term: string): ClassNode[] {
  if (!term) return nodes;
  return nodes.flatMap((n) => {
    const children = filterTree(n.children, term);
    return n.code.startsWith(term) || n.name.includes(term) || children.length ? [{ ...n, children }] : [];
  });
}

const keysOf = (nodes: ClassNode[]): string[] => nodes.flatMap((n) => (n.children.length ? [n.key, ...keysOf(n.children)] : []));

/** 分类目录: the classification tree, and adding a class under a parent for whoever the route allows (the authority). */
export function ClassificationsPage() {
  const { t } = useI18n();
  const me = useMe().data;
  const { message } = App.useApp();
  const list = useClassifications();
  const create = useCreateClassification();
  const [term, setTerm] = useState('');
  const [expanded, setExpanded] = useState<string[] | null>(null);
  const [parent, setParent] = useState<string | undefined>();
  const [code, setCode] = useState('');
  const [name, setName] = useState('');
  const tree = useMemo(() => classTree(list.data?.items ?? []), [list.data]);
  const shown = useMemo(() => filterTree(tree, term.trim()), [tree, term]);
  const choose = (p: string | undefined) => {
    setParent(p);
    if (p && !code.startsWith(p)) setCode(p);
  };
  const canAdd = may(me, 'createClassification');

  return (
    <>
      <h1 className="page-title">{t('classifications.title')}</h1>
      <p>{t('classifications.lead')}</p>
      {list.isPending ? (
        <Loading rows={8} />
      ) : list.isError ? (
        <ProblemAlert error={list.error} onRetry={() => void list.refetch()} />
      ) : (
        <div className="class-layout">
          <section aria-labelledby="class-tree-title" className="panel class-tree">
            <h2 id="class-tree-title">{t('classifications.tree')}</h2>
            <Field label={t('classifications.search')}>
              {(id) => <Input.Search id={id} allowClear placeholder={t('classifications.searchPlaceholder')} onChange={(e) => setTerm(e.target.value)} onSearch={setTerm} />}
            </Field>
            <p className="hint" aria-live="polite">
              {t('classifications.count', { n: list.data.items.length })}
            </p>
            {shown.length === 0 ? (
              <p>{t('classifications.empty')}</p>
            ) : (
              <Tree<ClassNode>
                aria-label={t('classifications.tree')}
                treeData={shown}
                expandedKeys={term ? keysOf(shown) : (expanded ?? tree.map((n) => n.key))}
                onExpand={(keys) => setExpanded(keys.map(String))}
                selectedKeys={parent ? [parent] : []}
                onSelect={(keys) => canAdd && choose(keys[0] === undefined ? undefined : String(keys[0]))}
                titleRender={(n) => (
                  <span className="class-node">
                    <code>{n.code}</code> {n.name}
                  </span>
                )}
                height={560}
              />
            )}
          </section>
          <section aria-labelledby="class-add-title" className="panel class-add">
            <h2 id="class-add-title">{t('classifications.add')}</h2>
            {!canAdd ? (
              <p>{t('classifications.noAdd')}</p>
            ) : (
              <form
                className="console-form"
                onSubmit={(e) => {
                  e.preventDefault();
                  if (!parent) return;
                  create.mutate(
                    { parentCode: parent, code: code.trim(), name: name.trim() },
                    {
                      onSuccess: (c) => {
                        void message.success(t('classifications.created', { code: c.code, name: c.name }));
                        setExpanded((keys) => [...new Set([...(keys ?? tree.map((n) => n.key)), parent])]);
                        setName('');
                        setCode(parent);
                      },
                    },
                  );
                }}
              >
                <p className="hint">{t('classifications.addLead')}</p>
                <Field label={t('classifications.parent')}>
                  {(id) => (
                    <TreeSelect
                      id={id}
                      showSearch
                      treeNodeFilterProp="title"
                      placeholder={t('classifications.parentPlaceholder')}
                      value={parent}
                      onChange={(v?: string) => choose(v)}
                      treeData={tree}
                      style={{ width: '100%' }}
                    />
                  )}
                </Field>
                <Field label={t('classifications.code')}>
                  {(id) => <Input id={id} value={code} inputMode="numeric" required maxLength={30} placeholder={parent ? t('classifications.codeHint', { parent }) : undefined} onChange={(e) => setCode(e.target.value)} />}
                </Field>
                <Field label={t('classifications.name')}>{(id) => <Input id={id} value={name} required maxLength={100} onChange={(e) => setName(e.target.value)} />}</Field>
                {create.isError && <ProblemAlert error={create.error} />}
                <Button type="primary" htmlType="submit" loading={create.isPending} disabled={!parent || code.trim() === parent || !name.trim()}>
                  {t('classifications.create')}
                </Button>
              </form>
            )}
          </section>
        </div>
      )}
    </>
  );
}
