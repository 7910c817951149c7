import { createBrowserRouter } from 'react-router';
import { Layout } from './Layout.tsx';
import { NotFound } from './NotFound.tsx';
import { SectionGate } from '../features/console/SectionGate.tsx';
import { SECTIONS } from '../features/console/sections.tsx';

/** The portal's pages and the console's, each feature loaded only when its page is visited (the portal's bundle holds no console page). */
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
      { path: 'developers', lazy: async () => ({ Component: (await import('../features/developers/DevelopersPage.tsx')).DevelopersPage }) },
      { path: 'sign-in', lazy: async () => ({ Component: (await import('../features/session/SignInPage.tsx')).SignInPage }) },
      { path: '*', Component: NotFound },
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
        lazy: async () => {
          const Page = await s.page();
          return {
            Component: () => (
              <SectionGate ability={s.ability}>
                <Page />
              </SectionGate>
            ),
          };
        },
      })),
      { path: '*', Component: NotFound },
    ],
  },
]);
