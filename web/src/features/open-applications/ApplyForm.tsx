import { Alert, Button, Checkbox, Form, Input, InputNumber, Radio, Select } from 'antd';
import { useState } from 'react';
import { Link } from 'react-router';
import { ApiError } from '../../api/client.ts';
import { ProblemAlert } from '../../components/ProblemAlert.tsx';
import { useI18n } from '../../i18n/i18n.tsx';
import { useApply, type ApplicationDoc, type ApplicationWithGrant, type ConditionalDataset } from './api.ts';
import { atLeastOne, codes, commitments } from './schemaText.ts';

interface Values {
  items: string[];
  purpose: string;
  scenario: string;
  organisation: { name: string; kind: string; uscc?: string; contact?: string; mobile?: string };
  accessMode: 'query' | 'download';
  period: { kind: string; until?: string };
  expectedCallRate?: number;
  commitments: string[];
}

/** `/organisation/uscc` → ['organisation', 'uscc'], `/items/2` → ['items']: where the server's problem goes in the form. */
function fieldOf(path: string): string[] {
  const segments = path.split('/').filter(Boolean);
  return segments[0] === 'organisation' || segments[0] === 'period' ? segments.slice(0, 2) : segments.slice(0, 1);
}

/** The application (有条件开放申请): the fields of its JSON Schema; the server checks it and its problems are shown at their fields. */
export function ApplyForm({ dataset }: { dataset: ConditionalDataset }) {
  const { t, lang, date } = useI18n();
  const [form] = Form.useForm<Values>();
  const apply = useApply();
  const [done, setDone] = useState<ApplicationWithGrant | null>(null);
  const kind = Form.useWatch(['organisation', 'kind'], form);
  const period = Form.useWatch(['period', 'kind'], form);
  const promises = commitments(lang);

  if (done) {
    return (
      <Alert
        type="success"
        showIcon
        role="status"
        message={t('openApps.submitted', { id: done.id, department: dataset.department.name, due: date(done.dueAt) })}
        description={<Link to="/console/open-applications">{t('openApps.myLink')}</Link>}
      />
    );
  }

  const submit = (v: Values) => {
    const org = { ...v.organisation };
    if (org.kind === 'individual') delete org.uscc;
    for (const k of ['uscc', 'contact', 'mobile'] as const) if (!org[k]) delete org[k];
    const doc = {
      resourceCode: dataset.code,
      items: v.items,
      purpose: v.purpose,
      scenario: v.scenario,
      organisation: org,
      accessMode: v.accessMode,
      period: v.period.kind === 'until' ? { kind: 'until', until: v.period.until } : { kind: v.period.kind },
      ...(v.expectedCallRate ? { expectedCallRate: v.expectedCallRate } : {}),
      commitments: Object.fromEntries(promises.map((c) => [c.key, v.commitments.includes(c.key)])),
    } as ApplicationDoc;
    apply.mutate(doc, {
      onSuccess: setDone,
      onError: (err) => {
        // each problem the server found goes to its field, in the reader's language
        if (err instanceof ApiError) {
          const byField = new Map<string, { name: string[]; errors: string[] }>();
          for (const p of err.problems) {
            if (!p.path) continue;
            const name = fieldOf(p.path);
            const key = name.join('.');
            const entry = byField.get(key) ?? { name, errors: [] };
            entry.errors.push(p.message);
            byField.set(key, entry);
          }
          form.setFields([...byField.values()] as Parameters<typeof form.setFields>[0]);
        }
      },
    });
  };

  const required = (field: string) => [{ required: true, message: t('openApps.required', { field }) }];
  return (
    <Form<Values>
      form={form}
      layout="vertical"
      className="apply-form"
      onFinish={submit}
      initialValues={{ items: dataset.items.map((i) => i.name), organisation: { kind: 'enterprise' }, accessMode: 'query', period: { kind: '90d' }, commitments: [] }}
    >
      <Form.Item name="items" label={t('openApps.field.items')} rules={[atLeastOne(t('openApps.pickItems'))]}>
        <Checkbox.Group options={dataset.items.map((i) => ({ value: i.name, label: `${i.label}（${i.name}）` }))} />
      </Form.Item>
      <Form.Item name="purpose" label={t('openApps.field.purpose')} rules={required(t('openApps.field.purpose'))}>
        <Input.TextArea rows={2} maxLength={2000} />
      </Form.Item>
      <Form.Item name="scenario" label={t('openApps.field.scenario')} rules={required(t('openApps.field.scenario'))}>
        <Input.TextArea rows={2} maxLength={2000} />
      </Form.Item>
      <Form.Item name={['organisation', 'kind']} label={t('openApps.field.orgKind')}>
        <Select options={codes('orgKind', lang)} />
      </Form.Item>
      <Form.Item name={['organisation', 'name']} label={t('openApps.field.orgName')} rules={required(t('openApps.field.orgName'))}>
        <Input maxLength={200} />
      </Form.Item>
      {kind !== 'individual' && (
        <Form.Item name={['organisation', 'uscc']} label={t('openApps.field.uscc')} rules={required(t('openApps.field.uscc'))}>
          <Input maxLength={18} />
        </Form.Item>
      )}
      <Form.Item name={['organisation', 'contact']} label={t('openApps.field.contact')}>
        <Input maxLength={50} />
      </Form.Item>
      <Form.Item name={['organisation', 'mobile']} label={t('openApps.field.mobile')}>
        <Input maxLength={11} inputMode="numeric" />
      </Form.Item>
      <Form.Item name="accessMode" label={t('openApps.field.accessMode')}>
        <Radio.Group options={codes('accessMode', lang)} />
      </Form.Item>
      <Form.Item name={['period', 'kind']} label={t('openApps.field.period')}>
        <Select options={codes('period', lang)} />
      </Form.Item>
      {period === 'until' && (
        <Form.Item name={['period', 'until']} label={t('openApps.field.until')} rules={required(t('openApps.field.until'))}>
          <Input type="date" />
        </Form.Item>
      )}
      <Form.Item name="expectedCallRate" label={t('openApps.field.rate')}>
        <InputNumber min={1} max={100000} style={{ width: 160 }} />
      </Form.Item>
      <Form.Item
        name="commitments"
        label={t('openApps.field.commitments')}
        rules={[{ validator: (_r, v: string[]) => (v?.length === promises.length ? Promise.resolve() : Promise.reject(new Error(t('openApps.acceptAll')))) }]}
      >
        <Checkbox.Group className="commitments" options={promises.map((c) => ({ value: c.key, label: c.text }))} />
      </Form.Item>
      {apply.isError && <ProblemAlert error={apply.error} />}
      <Button type="primary" htmlType="submit" loading={apply.isPending} style={{ marginTop: 12 }}>
        {t('openApps.submit')}
      </Button>
    </Form>
  );
}
