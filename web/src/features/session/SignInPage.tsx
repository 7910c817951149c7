import { Alert, Button, Divider, Form, Input } from 'antd';
import { useNavigate, useSearchParams } from 'react-router';
import { ApiError } from '../../api/client.ts';
import { ProblemAlert } from '../../components/ProblemAlert.tsx';
import { useI18n } from '../../i18n/i18n.tsx';
import { signInRefusal, singleSignOnUrl, useSignIn, useSignInMethods } from './api.ts';

/** Only paths of this site: a `next` pointing elsewhere would make the sign-in page an open redirect. */
function safeNext(next: string | null): string {
  return next && next.startsWith('/') && !next.startsWith('//') ? next : '/console';
}

/** A wait in minutes (rounded up) when it is a minute or more, else in seconds. */
function waitText(t: ReturnType<typeof useI18n>['t'], seconds: number | null): string {
  if (seconds === null) return t('session.waitUnknown');
  return seconds >= 60 ? t('session.waitMinutes', { n: Math.ceil(seconds / 60) }) : t('session.waitSeconds', { n: seconds });
}

/** Why a sign-in was refused, in the person's language (the API's own message is bilingual text). */
function Refusal({ error }: { error: unknown }) {
  const { t } = useI18n();
  if (!(error instanceof ApiError)) return <ProblemAlert error={error} />;
  const r = signInRefusal(error);
  if (r.kind === 'other') return <ProblemAlert error={error} />;
  const message = r.kind === 'wrong' ? t('session.wrong') : t(r.kind === 'locked' ? 'session.locked' : 'session.slowed', { wait: waitText(t, r.seconds) });
  return <Alert type="error" showIcon role="alert" message={message} description={r.kind === 'wrong' ? t('session.wrongHint') : undefined} />;
}

export function SignInPage() {
  const { t } = useI18n();
  const [params] = useSearchParams();
  const navigate = useNavigate();
  const signIn = useSignIn();
  const methods = useSignInMethods();
  const next = safeNext(params.get('next'));
  const onFinish = (values: { login: string; password: string }) => signIn.mutate(values, { onSuccess: () => navigate(next, { replace: true }) });
  const expired = params.get('expired') === '1';
  return (
    <div className="panel sign-in">
      <h1 className="page-title">{t('session.heading')}</h1>
      <p>{t('session.lead')}</p>
      {expired && !signIn.isError && <Alert type="info" showIcon role="status" message={t('session.expired')} style={{ marginBottom: 16 }} />}
      {signIn.isError && (
        <div style={{ marginBottom: 16 }}>
          <Refusal error={signIn.error} />
        </div>
      )}
      <Form layout="vertical" onFinish={onFinish} requiredMark={false} disabled={signIn.isPending}>
        <Form.Item name="login" label={t('session.login')} extra={t('session.loginHint')} rules={[{ required: true, message: t('session.required', { field: t('session.login') }) }]}>
          <Input autoComplete="username" autoFocus />
        </Form.Item>
        <Form.Item name="password" label={t('session.password')} rules={[{ required: true, message: t('session.required', { field: t('session.password') }) }]}>
          <Input.Password autoComplete="current-password" />
        </Form.Item>
        <Button type="primary" htmlType="submit" loading={signIn.isPending} block>
          {t('session.submit')}
        </Button>
      </Form>
      {methods.data?.oidc && (
        <>
          <Divider plain>{t('session.or')}</Divider>
          {/* a plain link: the server answers with a redirect to the identity platform, which the app's fetch must not follow */}
          <Button href={singleSignOnUrl(next)} block>
            {t('session.oidc')}
          </Button>
        </>
      )}
      <p className="sign-in-developer">
        {t('session.developerLead')} <a href="/developers">{t('session.developerLink')}</a>
      </p>
    </div>
  );
}
