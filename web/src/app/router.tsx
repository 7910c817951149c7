import { createBrowserRouter } from 'react-router';
import { Layout } from './Layout.tsx';
import { SECTIONS, type ConsoleSection } from '../features/console/sections.tsx';
import { may, sessionKeys, type Me } from '../features/session/api.ts';
import { queryClient } from './queryClient.ts';

/** A section's loader: starts its query for a person known to have its ability, returns at once (the page reads the query from the cache). */
function prefetching(s: ConsoleSection) {
  return ({ request }: { request: Request }) => {
    const me = queryClient.getQueryData<Me | null>(sessionKeys.me);
    if (s.prefetch && (s.ability === null || may(me, s.ability))) s.prefetch(queryClient, new URL(request.url));
    return null;
  };
}

/** The 404 page, loaded when shown (Ant Design's Result and its pictures are not the home page's to load). */
const notFound = async () => ({ Component: (await import('./NotFound.tsx')).NotFound });

/**
 * The portal's pages and the console's, each feature loaded only when its page is visited: the
 * entry chunk holds the frame (Layout) and what every page needs, no page of its own (docs/web.md,
 * "Bundle budget").
 */
export const router = createBrowserRouter([
  {
    element: <Layout />,
    // the first page's code is still loading: nothing yet rather than a flash of the wrong page
    HydrateFallback: () => null,
    children: [
      { index: true, lazy: async () => ({ Component: (await import('../features/portal/HomePage.tsx')).HomePage }) },
      { path: 'search', lazy: async () => ({ Component: (await import('../features/search/SearchPage.tsx')).SearchPage }) },
      { path: 'datasets/:code', lazy: async () => ({ Component: (await import('../features/dataset/DatasetPage.tsx')).DatasetPage }) },
      { path: 'departments', lazy: async () => ({ Component: (await import('../features/departments/DepartmentsPage.tsx')).DepartmentsPage }) },
      { path: 'open-index', lazy: async () => ({ Component: (await import('../features/governance/OpenIndexPage.tsx')).OpenIndexPage }) },
      { path: 'developers', lazy: async () => ({ Component: (await import('../features/developers/DevelopersPage.tsx')).DevelopersPage }) },
      { path: 'sign-in', lazy: async () => ({ Component: (await import('../features/session/SignInPage.tsx')).SignInPage }) },
      { path: '*', lazy: notFound },
    ],
  },
  // the evaluation report alone, for paper and for the server's PDF (server/src/governance/print.ts)
  { path: 'print/evaluation', lazy: async () => ({ Component: (await import('../features/evaluation/PrintEvaluationPage.tsx')).PrintEvaluationPage }), HydrateFallback: () => null },
  {
    path: 'console',
    lazy: async () => ({ Component: (await import('../features/console/ConsoleLayout.tsx')).ConsoleLayout }),
    HydrateFallback: () => null,
    children: [
      { index: true, lazy: async () => ({ Component: (await import('../features/console/ConsolePage.tsx')).ConsolePage }) },
      ...SECTIONS.map((s) => ({
        path: s.path,
        // a static loader runs alongside `lazy`: the page's first query starts at the click, not after its code
        ...(s.prefetch ? { loader: prefetching(s) } : {}),
        lazy: async () => {
          const [Page, { SectionGate }] = await Promise.all([s.page(), import('../features/console/SectionGate.tsx')]);
          return {
            Component: () => (
              <SectionGate ability={s.ability} reach={s.reach}>
                <Page />
              </SectionGate>
            ),
          };
        },
      })),
      { path: '*', lazy: notFound },
    ],
  },
]);
