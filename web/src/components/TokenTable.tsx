import { Button, Popconfirm, Table, Tag } from 'antd';
import type { Schema } from '../api/types.ts';
import { formatDateTime } from '../i18n/format.ts';
import { useI18n } from '../i18n/i18n.tsx';
import type { MessageKey } from '../i18n/messages.ts';

type Token = Schema<'Token'>;

/** A token that still works: not revoked, not expired. */
export function isActive(k: Token): boolean {
  return !k.revokedAt && (!k.expiresAt || Date.parse(k.expiresAt) > Date.now());
}

/**
 * API tokens (or a developer's keys, which are tokens) as one table: name, the first characters of
 * the secret, dates, and revoke behind a confirmation. My account, the developer centre and the
 * administrator's token page show the same table; never a secret (the API does not list them).
 */
export function TokenTable({
  tokens,
  onRevoke,
  revoking,
  showScopes = false,
  showAccount = false,
  inUseId = null,
  label,
}: {
  tokens: readonly Token[];
  onRevoke: (token: Token) => void;
  /** The token being revoked, to show its button busy. */
  revoking?: number | null;
  showScopes?: boolean;
  /** The account each token acts for (the administrator's and the officer's list). */
  showAccount?: boolean;
  /** The token this very request was made with: revoking it would cut the page off. */
  inUseId?: number | null;
  label: string;
}) {
  const { t } = useI18n();
  const columns = [
    ...(showAccount ? [{ key: 'login', title: t('account.token.account'), render: (_: unknown, k: Token) => <code>{k.login}</code> }] : []),
    { key: 'name', title: t('account.token.name'), dataIndex: 'name' },
    { key: 'prefix', title: t('account.token.prefix'), render: (_: unknown, k: Token) => <code>{k.prefix}…</code> },
    ...(showScopes ? [{ key: 'scopes', title: t('account.token.scopes'), render: (_: unknown, k: Token) => k.scopes.map((x) => <Tag key={x}>{t(`account.scope.${x}` as MessageKey)}</Tag>) }] : []),
    { key: 'created', title: t('account.token.created'), render: (_: unknown, k: Token) => formatDateTime(k.createdAt) },
    { key: 'expires', title: t('account.token.expires'), render: (_: unknown, k: Token) => (k.expiresAt ? formatDateTime(k.expiresAt) : t('account.token.never')) },
    { key: 'lastUsed', title: t('account.token.lastUsed'), render: (_: unknown, k: Token) => (k.lastUsedAt ? formatDateTime(k.lastUsedAt) : '—') },
    {
      key: 'revoke',
      title: t('account.actions'),
      render: (_: unknown, k: Token) =>
        !isActive(k) ? (
          <Tag>{k.revokedAt ? t('account.token.revoked') : t('account.token.expired')}</Tag>
        ) : inUseId === k.id ? (
          <Tag color="blue">{t('account.token.inUse')}</Tag>
        ) : (
          <Popconfirm title={t('account.token.revokeConfirm', { name: k.name })} okText={t('account.token.revoke')} cancelText={t('account.cancel')} onConfirm={() => onRevoke(k)}>
            <Button size="small" danger loading={revoking === k.id} aria-label={t('account.token.revokeLabel', { name: k.name })}>
              {t('account.token.revoke')}
            </Button>
          </Popconfirm>
        ),
    },
  ];
  return (
    <Table<Token>
      aria-label={label}
      rowKey="id"
      size="small"
      pagination={tokens.length > 50 ? { pageSize: 50, showSizeChanger: false } : false}
      scroll={{ x: 'max-content' }}
      columns={columns}
      dataSource={[...tokens]}
      locale={{ emptyText: <span className="table-empty">{t('account.token.none')}</span> }}
    />
  );
}
