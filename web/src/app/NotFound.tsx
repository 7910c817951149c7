import { Button, Result } from 'antd';
import { Link } from 'react-router';
import { useI18n } from '../i18n/i18n.tsx';

export function NotFound() {
  const { t } = useI18n();
  return (
    <Result
      status="404"
      title={<h1 className="result-title">{t('error.notFound')}</h1>}
      subTitle={t('error.notFoundHint')}
      extra={[
        <Link key="home" to="/"><Button type="primary">{t('nav.home')}</Button></Link>,
        <Link key="search" to="/search"><Button>{t('nav.search')}</Button></Link>,
      ]}
    />
  );
}
