import type { QueryClient } from '@tanstack/react-query';
import { shareRequestsQuery } from '../sharing/api.ts';
import { answerPage } from './api.ts';

/**
 * The inbox's first page asked for at the click, while the page's code is still loading (the
 * router's loader calls this), so the rows come about one API call after the click rather than
 * after the code, its first render and then the call. Only for the tab that opens by default.
 */
export function prefetchInbox(client: QueryClient, url: URL): void {
  const tab = url.searchParams.get('tab');
  if (tab !== null && tab !== 'share_request.answer') return;
  void client.prefetchQuery(shareRequestsQuery(answerPage(false, undefined)));
}
