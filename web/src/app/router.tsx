import { createBrowserRouter } from 'react-router';
import { Layout } from './Layout.tsx';
import { NotFound } from './NotFound.tsx';

/** The portal's pages, each feature loaded only when its page is visited. */
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
      { path: '*', Component: NotFound },
    ],
  },
]);
