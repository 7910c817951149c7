import type { ReactNode } from 'react';
import { Navigate, useLocation } from 'react-router';
import { Loading } from '../../components/Loading.tsx';
import { ProblemAlert } from '../../components/ProblemAlert.tsx';
import { takeSessionEnded, useMe } from './api.ts';

/** Shows its children to a signed-in person; a visitor is sent to the sign-in page and brought back afterwards. */
export function RequireSignIn({ children }: { children: ReactNode }) {
  const me = useMe();
  const location = useLocation();
  if (me.isPending) return <Loading />;
  if (me.isError) return <ProblemAlert error={me.error} onRetry={() => me.refetch()} />;
  if (!me.data) return <Navigate to={`/sign-in?next=${encodeURIComponent(location.pathname + location.search)}${takeSessionEnded() ? '&expired=1' : ''}`} replace />;
  return <>{children}</>;
}
