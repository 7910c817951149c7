import { App, Button, Checkbox, Form, Input, Modal, Popconfirm, Select, Space, Table, Tag } from 'antd';
import { useMemo, useState } from 'react';
import { Field } from '../../components/Field.tsx';
import { placeFieldErrors } from '../../components/fieldErrors.ts';
import { Loading } from '../../components/Loading.tsx';
import { ProblemAlert } from '../../components/ProblemAlert.tsx';
import { SecretOnce } from '../../components/SecretOnce.tsx';
import { useI18n } from '../../i18n/i18n.tsx';
import type { MessageKey } from '../../i18n/messages.ts';
import { may, useMe, type Me } from '../session/api.ts';
import { useCreatePrincipal, useDepartments, useIssuePassword, usePrincipals, useUpdatePrincipal, type Department, type Principal, type PrincipalInput, type Role } from './api.ts';

/**
 * Roles the caller can hand out. The server decides (an officer granting more gets 403); the form
 * offers an officer only the department's roles so that refusal is not the usual way to learn it.
 * Nobody grants `consumer`: that role comes with a consumer credential.
 */
function grantableRoles(me: Me): Role[] {
  return me.roles.includes('admin') ? ['admin', 'authority', 'officer', 'registrar', 'developer'] : ['officer', 'registrar'];
}

/** 账号与角色: accounts with their department and roles; create, change roles, disable or enable, give a password — each as the caller's abilities allow. */
export function AccountsPage() {
  const { t, number } = useI18n();
  const { message } = App.useApp();
  const me = useMe().data!;
  const principals = usePrincipals();
  const departments = useDepartments();
  const update = useUpdatePrincipal();
  const [search, setSearch] = useState('');
  const [department, setDepartment] = useState<number | 'none' | undefined>();
  const [role, setRole] = useState<Role | undefined>();
  const [creating, setCreating] = useState(false);
  const [roleOf, setRoleOf] = useState<Principal | null>(null);
  const [passwordOf, setPasswordOf] = useState<Principal | null>(null);
  const names = useMemo(() => new Map((departments.data?.items ?? []).map((d) => [d.id, d.name])), [departments.data]);
  const everyDepartment = me.abilities.listPrincipals === 'any';
  const mayUpdate = may(me, 'updatePrincipal');

  const shown = useMemo(() => {
    const q = search.trim().toLowerCase();
    return (principals.data?.items ?? []).filter(
      (p) =>
        (!q || p.login.toLowerCase().includes(q) || p.displayName.toLowerCase().includes(q)) &&
        (department === undefined || (department === 'none' ? p.departmentId === null : p.departmentId === department)) &&
        (!role || p.roles.includes(role)),
    );
  }, [principals.data, search, department, role]);

  const setDisabled = (p: Principal, disabled: boolean) =>
    update.mutate({ id: p.id, body: { disabled } }, { onSuccess: () => void message.success(t('admin.saved')) });

  const columns = [
    {
      key: 'login',
      title: t('admin.acct.login'),
      render: (_: unknown, p: Principal) => (
        <span>
          <code>{p.login}</code>
          {p.id === me.id && t('admin.acct.you')}
        </span>
      ),
    },
    { key: 'name', title: t('admin.acct.name'), dataIndex: 'displayName' },
    { key: 'department', title: t('admin.acct.department'), render: (_: unknown, p: Principal) => (p.departmentId === null ? t('admin.acct.noDepartment') : (names.get(p.departmentId) ?? `#${p.departmentId}`)) },
    { key: 'roles', title: t('admin.acct.roles'), render: (_: unknown, p: Principal) => p.roles.map((r) => <Tag key={r}>{t(`role.${r}` as MessageKey)}</Tag>) },
    {
      key: 'status',
      title: t('admin.acct.status'),
      render: (_: unknown, p: Principal) => (
        <Space size={4} wrap>
          {p.disabledAt ? <Tag color="red">{t('admin.acct.disabled')}</Tag> : <Tag color="green">{t('admin.acct.active')}</Tag>}
          {p.kind === 'system' && <Tag>{t('admin.acct.system')}</Tag>}
        </Space>
      ),
    },
    ...(mayUpdate || may(me, 'issuePassword')
      ? [
          {
            key: 'actions',
            title: t('admin.actions'),
            render: (_: unknown, p: Principal) => (
              <Space size="small" wrap>
                {mayUpdate && p.kind === 'user' && (
                  <Button size="small" onClick={() => setRoleOf(p)} aria-label={t('admin.acct.editRolesLabel', { name: p.displayName })}>
                    {t('admin.acct.editRoles')}
                  </Button>
                )}
                {may(me, 'issuePassword') && p.kind === 'user' && (
                  <Button size="small" onClick={() => setPasswordOf(p)} aria-label={t('admin.acct.passwordLabel', { name: p.displayName })}>
                    {t('admin.acct.password')}
                  </Button>
                )}
                {mayUpdate && p.id !== me.id && (p.disabledAt ? (
                  <Button size="small" onClick={() => setDisabled(p, false)} loading={update.isPending && update.variables?.id === p.id} aria-label={t('admin.acct.enableLabel', { name: p.displayName })}>
                    {t('admin.acct.enable')}
                  </Button>
                ) : (
                  <Popconfirm title={t('admin.acct.disableConfirm', { name: p.displayName })} okText={t('admin.acct.disable')} cancelText={t('admin.cancel')} onConfirm={() => setDisabled(p, true)}>
                    <Button size="small" danger loading={update.isPending && update.variables?.id === p.id} aria-label={t('admin.acct.disableLabel', { name: p.displayName })}>
                      {t('admin.acct.disable')}
                    </Button>
                  </Popconfirm>
                ))}
              </Space>
            ),
          },
        ]
      : []),
  ];

  const lead = may(me, 'createPrincipal') ? (everyDepartment ? 'admin.acct.lead' : 'admin.acct.leadOfficer') : 'admin.acct.leadReader';
  return (
    <>
      <h1 className="page-title">{t('admin.acct.title')}</h1>
      <p>{t(lead)}</p>
      <section className="panel">
        <div className="admin-filters">
          <Field label={t('admin.acct.search')}>{(id) => <Input id={id} allowClear value={search} onChange={(e) => setSearch(e.target.value)} />}</Field>
          {everyDepartment && (
            <Field label={t('admin.acct.department')}>
              {(id) => (
                <Select
                  id={id}
                  allowClear
                  showSearch
                  optionFilterProp="label"
                  placeholder={t('admin.all')}
                  style={{ minWidth: 220 }}
                  value={department}
                  onChange={setDepartment}
                  options={[{ value: 'none' as const, label: t('admin.acct.noDepartment') }, ...(departments.data?.items ?? []).map((d) => ({ value: d.id, label: d.name }))]}
                />
              )}
            </Field>
          )}
          <Field label={t('admin.acct.role')}>
            {(id) => (
              <Select id={id} allowClear placeholder={t('admin.all')} style={{ minWidth: 140 }} value={role} onChange={setRole} options={(['admin', 'authority', 'officer', 'registrar', 'consumer', 'developer'] as const).map((r) => ({ value: r, label: t(`role.${r}`) }))} />
            )}
          </Field>
          {may(me, 'createPrincipal') && (
            <Button type="primary" onClick={() => setCreating(true)} className="admin-filters-action">
              {t('admin.acct.new')}
            </Button>
          )}
        </div>
        {update.isError && <ProblemAlert error={update.error} />}
        {principals.isPending ? (
          <Loading rows={6} />
        ) : principals.isError ? (
          <ProblemAlert error={principals.error} onRetry={() => principals.refetch()} />
        ) : (
          <>
            <p className="hint" aria-live="polite">
              {t('admin.acct.count', { n: number(shown.length) })}
            </p>
            <Table<Principal> rowKey="id" size="small" scroll={{ x: 'max-content' }} pagination={shown.length > 50 ? { pageSize: 50, showSizeChanger: false } : false} columns={columns} dataSource={shown} />
          </>
        )}
      </section>
      {creating && <CreateAccount me={me} departments={departments.data?.items ?? []} onClose={() => setCreating(false)} />}
      {roleOf && <EditRoles me={me} principal={roleOf} onClose={() => setRoleOf(null)} />}
      {passwordOf && <IssuePassword principal={passwordOf} onClose={() => setPasswordOf(null)} />}
    </>
  );
}

const CREATE_FIELDS = ['login', 'displayName', 'departmentId', 'roles', 'email', 'phone'] as const;

function CreateAccount({ me, departments, onClose }: { me: Me; departments: Department[]; onClose: () => void }) {
  const { t } = useI18n();
  const { message } = App.useApp();
  const [form] = Form.useForm<PrincipalInput>();
  const create = useCreatePrincipal();
  // an officer creates accounts in their own department only (the route's own reach)
  const ownOnly = me.abilities.createPrincipal !== 'any';
  const onFinish = (v: PrincipalInput) =>
    create.mutate(
      { login: v.login.trim(), displayName: v.displayName.trim(), departmentId: v.departmentId ?? null, roles: v.roles, ...(v.email?.trim() ? { email: v.email.trim() } : {}), ...(v.phone?.trim() ? { phone: v.phone.trim() } : {}) },
      {
        onSuccess: (p) => {
          void message.success(may(me, 'issuePassword') ? t('admin.acct.createdPassword', { login: p.login }) : t('admin.acct.created', { login: p.login }), 6);
          onClose();
        },
        onError: (err) => placeFieldErrors(form, err, CREATE_FIELDS),
      },
    );
  const shownAtField = create.isError && form.getFieldsError().some((f) => f.errors.length > 0);
  return (
    <Modal open title={t('admin.acct.new')} onCancel={onClose} footer={null} width={560}>
      {create.isError && !shownAtField && <ProblemAlert error={create.error} />}
      <Form form={form} layout="vertical" requiredMark={false} onFinish={onFinish} disabled={create.isPending} initialValues={{ departmentId: ownOnly ? me.departmentId : undefined, roles: [] }}>
        <Form.Item
          name="login"
          label={t('admin.acct.login')}
          extra={t('admin.acct.loginHint')}
          validateTrigger="onBlur"
          rules={[
            { required: true, message: t('session.required', { field: t('admin.acct.login') }) },
            { pattern: /^[a-z0-9][a-z0-9._@-]{1,63}$/, message: t('admin.acct.loginBad') },
          ]}
        >
          <Input autoComplete="off" spellCheck={false} />
        </Form.Item>
        <Form.Item name="displayName" label={t('admin.acct.name')} rules={[{ required: true, whitespace: true, message: t('session.required', { field: t('admin.acct.name') }) }]}>
          <Input maxLength={100} autoComplete="off" />
        </Form.Item>
        <Form.Item name="departmentId" label={t('admin.acct.department')}>
          <Select
            disabled={ownOnly}
            allowClear
            showSearch
            optionFilterProp="label"
            placeholder={t('admin.acct.noDepartment')}
            options={departments.map((d) => ({ value: d.id, label: d.name }))}
          />
        </Form.Item>
        <Form.Item name="roles" label={t('admin.acct.roles')} extra={ownOnly ? t('admin.acct.officerRoles') : undefined} rules={[{ validator: (_, v: Role[] | undefined) => (v?.length ? Promise.resolve() : Promise.reject(new Error(t('admin.acct.rolesNone')))) }]}>
          <Checkbox.Group options={grantableRoles(me).map((r) => ({ value: r, label: t(`role.${r}`) }))} />
        </Form.Item>
        <Form.Item name="email" label={t('admin.acct.email')} rules={[{ type: 'email', message: t('admin.acct.emailBad') }]}>
          <Input autoComplete="off" inputMode="email" />
        </Form.Item>
        <Form.Item name="phone" label={t('admin.acct.phone')}>
          <Input autoComplete="off" inputMode="tel" maxLength={30} />
        </Form.Item>
        <Space>
          <Button type="primary" htmlType="submit" loading={create.isPending}>
            {t('admin.acct.new')}
          </Button>
          <Button onClick={onClose}>{t('admin.cancel')}</Button>
        </Space>
      </Form>
    </Modal>
  );
}

function EditRoles({ me, principal, onClose }: { me: Me; principal: Principal; onClose: () => void }) {
  const { t } = useI18n();
  const { message } = App.useApp();
  const update = useUpdatePrincipal();
  const offered = grantableRoles(me);
  // roles the caller cannot grant stay as they are, shown but not changeable
  const [roles, setRoles] = useState<Role[]>(principal.roles);
  const save = () => update.mutate({ id: principal.id, body: { roles } }, { onSuccess: () => (void message.success(t('admin.saved')), onClose()) });
  return (
    <Modal
      open
      title={t('admin.acct.editRolesLabel', { name: principal.displayName })}
      onCancel={onClose}
      onOk={save}
      okText={t('admin.save')}
      cancelText={t('admin.cancel')}
      okButtonProps={{ disabled: roles.length === 0, loading: update.isPending }}
    >
      {update.isError && <ProblemAlert error={update.error} />}
      <fieldset className="field">
        <legend>{t('admin.acct.roles')}</legend>
        <Checkbox.Group
          value={roles}
          onChange={(v) => setRoles(v as Role[])}
          options={[...new Set<Role>([...offered, ...principal.roles])].map((r) => ({ value: r, label: t(`role.${r}`), disabled: !offered.includes(r) }))}
        />
      </fieldset>
      {roles.length === 0 && <p className="hint">{t('admin.acct.rolesNone')}</p>}
    </Modal>
  );
}

function IssuePassword({ principal, onClose }: { principal: Principal; onClose: () => void }) {
  const { t } = useI18n();
  const issue = useIssuePassword();
  const issued = issue.data;
  return (
    <Modal
      open
      title={t('admin.acct.passwordTitle', { name: principal.displayName })}
      onCancel={onClose}
      // closing forgets the password: the mutation's state goes with the dialog
      footer={
        issued ? (
          <Button type="primary" onClick={onClose}>
            {t('admin.acct.done')}
          </Button>
        ) : (
          <Space>
            <Button onClick={onClose}>{t('admin.cancel')}</Button>
            <Button type="primary" danger loading={issue.isPending} onClick={() => issue.mutate(principal.id)}>
              {t('admin.acct.passwordGo')}
            </Button>
          </Space>
        )
      }
    >
      {issue.isError && <ProblemAlert error={issue.error} />}
      {issued ? (
        <>
          <SecretOnce label={t('admin.acct.passwordOf', { login: issued.login })} secret={issued.password} />
          <p className="hint" style={{ marginTop: 12 }}>
            {t('admin.acct.passwordHand')}
          </p>
        </>
      ) : (
        <p>{t('admin.acct.passwordLead', { name: principal.displayName })}</p>
      )}
    </Modal>
  );
}
