import { Button, Form, Input } from 'antd';
import { useNavigate, useSearchParams } from 'react-router';
import { ProblemAlert } from '../../components/ProblemAlert.tsx';
import { useI18n } from '../../i18n/i18n.tsx';
import { useSignIn } from './api.ts';

/** Only paths of this site: a `next` pointing elsewhere would make the sign-in page an open redirect. */
function safeNext(next: string | null): string {
  return next && next.startsWith('/') && !next.startsWith('//') ? next : '/console';
}

export function SignInPage() {
  const { t } = useI18n();
  const [params] = useSearchParams();
  const navigate = useNavigate();
  const signIn = useSignIn();
  const onFinish = (values: { login: string; password: string }) =>
    signIn.mutate(values, { onSuccess: () => navigate(safeNext(params.get('next')), { replace: true }) });
  return (
    <div className="panel sign-in">
      <h1 className="page-title">{t('session.heading')}</h1>
      <p>{t('session.lead')}</p>
      {signIn.isError && <ProblemAlert error={signIn.error} />}
      <Form layout="vertical" onFinish={onFinish} requiredMark={false} disabled={signIn.isPending}>
        <Form.Item name="login" label={t('session.login')} rules={[{ required: true, message: t('session.required', { field: t('session.login') }) }]}>
          <Input autoComplete="username" autoFocus />
        </Form.Item>
        <Form.Item name="password" label={t('session.password')} rules={[{ required: true, message: t('session.required', { field: t('session.password') }) }]}>
          <Input.Password autoComplete="current-password" />
        </Form.Item>
        <Button type="primary" htmlType="submit" loading={signIn.isPending} block>
          {t('session.submit')}
        </Button>
      </Form>
    </div>
  );
}
