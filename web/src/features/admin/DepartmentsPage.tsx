import { App, Button, Form, Input, Modal, Select, Space, Table, TreeSelect } from 'antd';
import { useMemo, useState } from 'react';
import { isRegionCode, isUscc } from '../../../../server/src/lib/identifiers.ts';
import { formatProblem } from '../../../../server/src/schemas/keywords.ts';
import { placeFieldErrors } from '../../components/fieldErrors.ts';
import { Loading } from '../../components/Loading.tsx';
import { ProblemAlert } from '../../components/ProblemAlert.tsx';
import { useI18n } from '../../i18n/i18n.tsx';
import type { MessageKey } from '../../i18n/messages.ts';
import { departmentTree, useDepartments, useSaveDepartment, type Department, type DepartmentInput, type DepartmentNode } from './api.ts';

const KINDS = ['city', 'district', 'bureau', 'other'] as const;
const FIELDS = ['name', 'shortName', 'uscc', 'regionCode', 'kind', 'parentId'] as const;

/** What the form is doing: a new department (perhaps under a chosen one), or changing one. */
type Editing = { mode: 'new'; parentId: number | null } | { mode: 'edit'; department: Department };

/** 部门: the department tree, with a new department anywhere in it and changes to any. */
export function DepartmentsPage() {
  const { t, number } = useI18n();
  const departments = useDepartments();
  const [editing, setEditing] = useState<Editing | null>(null);
  const tree = useMemo(() => departmentTree(departments.data?.items ?? []), [departments.data]);
  const columns = [
    {
      key: 'name',
      title: t('admin.dept.name'),
      render: (_: unknown, d: DepartmentNode) => (
        <span>
          {d.name}
          {d.shortName && <span className="hint"> （{d.shortName}）</span>}
        </span>
      ),
    },
    { key: 'uscc', title: t('admin.dept.uscc'), render: (_: unknown, d: DepartmentNode) => <code>{d.uscc}</code> },
    { key: 'region', title: t('admin.dept.regionCode'), dataIndex: 'regionCode' },
    { key: 'kind', title: t('admin.dept.kind'), render: (_: unknown, d: DepartmentNode) => t(`admin.dept.kind.${d.kind}` as MessageKey) },
    {
      key: 'actions',
      title: t('admin.actions'),
      render: (_: unknown, d: DepartmentNode) => (
        <Space size="small">
          <Button size="small" onClick={() => setEditing({ mode: 'edit', department: d })} aria-label={t('admin.dept.editLabel', { name: d.name })}>
            {t('admin.dept.edit')}
          </Button>
          <Button size="small" onClick={() => setEditing({ mode: 'new', parentId: d.id })} aria-label={t('admin.dept.newUnderLabel', { name: d.name })}>
            {t('admin.dept.newUnder')}
          </Button>
        </Space>
      ),
    },
  ];
  return (
    <>
      <h1 className="page-title">{t('admin.dept.title')}</h1>
      <p>{t('admin.dept.lead')}</p>
      <section className="panel">
        <Space wrap style={{ marginBottom: 12, justifyContent: 'space-between', width: '100%' }}>
          <span className="hint">{departments.data ? t('admin.dept.count', { n: number(departments.data.items.length) }) : ''}</span>
          <Button type="primary" onClick={() => setEditing({ mode: 'new', parentId: null })}>
            {t('admin.dept.new')}
          </Button>
        </Space>
        {departments.isPending ? (
          <Loading rows={6} />
        ) : departments.isError ? (
          <ProblemAlert error={departments.error} onRetry={() => departments.refetch()} />
        ) : (
          <Table<DepartmentNode>
            rowKey="id"
            size="small"
            pagination={false}
            scroll={{ x: 'max-content' }}
            columns={columns}
            dataSource={tree}
            expandable={{ defaultExpandAllRows: true }}
          />
        )}
      </section>
      {editing && <DepartmentForm editing={editing} tree={tree} onClose={() => setEditing(null)} />}
    </>
  );
}

/** The tree without one department and everything under it: where that department may move to. */
function withoutBranch(nodes: DepartmentNode[], id: number | null): DepartmentNode[] {
  return nodes.filter((n) => n.id !== id).map((n) => ({ ...n, children: n.children ? withoutBranch(n.children, id) : undefined }));
}

interface TreeOption {
  value: number;
  title: string;
  children?: TreeOption[];
}
const asOptions = (nodes: DepartmentNode[]): TreeOption[] => nodes.map((n) => ({ value: n.id, title: n.name, children: n.children ? asOptions(n.children) : undefined }));

function DepartmentForm({ editing, tree, onClose }: { editing: Editing; tree: DepartmentNode[]; onClose: () => void }) {
  const { t, lang } = useI18n();
  const { message } = App.useApp();
  const [form] = Form.useForm<DepartmentInput>();
  const save = useSaveDepartment();
  const current = editing.mode === 'edit' ? editing.department : null;
  const parents = useMemo(() => asOptions(withoutBranch(tree, current?.id ?? null)), [tree, current]);
  const initial: Partial<DepartmentInput> = current
    ? { name: current.name, shortName: current.shortName ?? undefined, uscc: current.uscc, regionCode: current.regionCode, kind: current.kind, parentId: current.parentId }
    : { kind: 'bureau', parentId: editing.mode === 'new' ? editing.parentId : null, regionCode: '' };
  const onFinish = (v: DepartmentInput) => {
    const body = { name: v.name.trim(), uscc: v.uscc, regionCode: v.regionCode, kind: v.kind, parentId: v.parentId ?? null, ...(v.shortName?.trim() ? { shortName: v.shortName.trim() } : {}) };
    save.mutate(
      { id: current?.id ?? null, body },
      {
        onSuccess: (d) => {
          void message.success(current ? t('admin.saved') : t('admin.dept.created', { name: d.name }));
          onClose();
        },
        onError: (err) => placeFieldErrors(form, err, FIELDS),
      },
    );
  };
  const shownAtField = save.isError && form.getFieldsError().some((f) => f.errors.length > 0);
  const title = current ? t('admin.dept.editTitle', { name: current.name }) : t('admin.dept.new');
  return (
    <Modal open title={title} onCancel={onClose} footer={null} destroyOnHidden width={560}>
      {save.isError && !shownAtField && <ProblemAlert error={save.error} />}
      <Form form={form} layout="vertical" requiredMark={false} initialValues={initial} onFinish={onFinish} disabled={save.isPending}>
        <Form.Item name="name" label={t('admin.dept.name')} rules={[{ required: true, whitespace: true, message: t('session.required', { field: t('admin.dept.name') }) }]}>
          <Input maxLength={200} />
        </Form.Item>
        <Form.Item name="shortName" label={t('admin.dept.shortName')}>
          <Input maxLength={50} />
        </Form.Item>
        <Form.Item
          name="uscc"
          label={t('admin.dept.uscc')}
          extra={t('admin.dept.usccHint')}
          normalize={(v: string) => v.toUpperCase().replace(/\s/g, '')}
          validateTrigger="onBlur"
          rules={[
            { required: true, message: t('session.required', { field: t('admin.dept.uscc') }) },
            // the server's own check and words (schemas/keywords.ts), so the field, the API and the census forms agree
            { validator: (_, v: string) => (!v || isUscc(v) ? Promise.resolve() : Promise.reject(new Error(formatProblem('uscc', v)[lang]))) },
          ]}
        >
          <Input maxLength={18} autoComplete="off" spellCheck={false} className="code-input" />
        </Form.Item>
        <Form.Item
          name="regionCode"
          label={t('admin.dept.regionCode')}
          extra={t('admin.dept.regionHint')}
          validateTrigger="onBlur"
          rules={[
            { required: true, message: t('session.required', { field: t('admin.dept.regionCode') }) },
            { validator: (_, v: string) => (!v || isRegionCode(v) ? Promise.resolve() : Promise.reject(new Error(formatProblem('region-code', v)[lang]))) },
          ]}
        >
          <Input maxLength={12} inputMode="numeric" autoComplete="off" />
        </Form.Item>
        {/* no `required` rule on a Select: antd would put aria-required on its wrapper, which axe refuses; the kind has a default */}
        <Form.Item name="kind" label={t('admin.dept.kind')}>
          <Select options={KINDS.map((k) => ({ value: k, label: t(`admin.dept.kind.${k}` as MessageKey) }))} />
        </Form.Item>
        <Form.Item name="parentId" label={t('admin.dept.parent')}>
          <TreeSelect treeData={parents} allowClear placeholder={t('admin.dept.top')} treeDefaultExpandAll showSearch treeNodeFilterProp="title" />
        </Form.Item>
        <Space>
          <Button type="primary" htmlType="submit" loading={save.isPending}>
            {t('admin.save')}
          </Button>
          <Button onClick={onClose}>{t('admin.cancel')}</Button>
        </Space>
      </Form>
    </Modal>
  );
}
