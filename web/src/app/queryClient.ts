import { MutationCache, QueryCache, QueryClient } from '@tanstack/react-query';
import { ApiError } from '../api/client.ts';
import { sessionEnded } from '../features/session/api.ts';

/** A 401 while signed in means the session ended (idle, too old, signed out elsewhere): forget the person, so the sign-in page comes. */
const onError = (err: unknown) => {
  if (err instanceof ApiError && err.status === 401) sessionEnded(queryClient);
};

/** The app's one query cache: the components read it, and the router's loaders start a page's first query into it while the page's code loads. */
export const queryClient: QueryClient = new QueryClient({
  queryCache: new QueryCache({ onError }),
  mutationCache: new MutationCache({ onError }),
  defaultOptions: {
    queries: {
      staleTime: 30_000,
      refetchOnWindowFocus: false,
      // a 4xx will not change by asking again
      retry: (failures, err) => failures < 2 && !(err instanceof ApiError && err.status >= 400 && err.status < 500),
    },
  },
});
