import { meRoute } from './auth/accounts/me-route.ts';
import { accountRoutes } from './auth/accounts/routes.ts';
import { oidcRoutes } from './auth/sessions/oidc-routes.ts';
import { sessionRoutes } from './auth/sessions/routes.ts';
import { auditRoutes } from './audit/routes.ts';
import { classificationRoutes } from './census/classifications/routes.ts';
import { demandRoutes } from './census/demands/routes.ts';
import { departmentRoutes } from './census/departments/routes.ts';
import { documentRoutes } from './census/documents/routes.ts';
import { censusImportRoutes } from './census/imports/routes.ts';
import { ledgerRoutes } from './census/ledger/routes.ts';
import { resourceRoutes } from './census/resources/routes.ts';
import { alertRoutes } from './governance/alerts/routes.ts';
import { errorReportRoutes } from './governance/error-reports/routes.ts';
import { governanceRoutes } from './governance/routes.ts';
import { openIndexRoutes } from './governance/open-index/routes.ts';
import type { RouteSpec } from './http/route.ts';
import { loadRoutes } from './loads/routes.ts';
import { openDataRoutes } from './open/data-routes.ts';
import { catalogRoutes } from './open/catalog/routes.ts';
import { ckanRoutes } from './open/ckan/routes.ts';
import { developerKeyRoutes } from './open/keys/routes.ts';
import { openApplicationRoutes } from './open/applications/routes.ts';
import { schemaRoutes } from './schemas/routes.ts';
import { sharingRoutes } from './sharing/routes.ts';
import { sharedDataRoutes } from './sharing/data-routes.ts';
import { systemRoutes } from './system/routes.ts';
import { workRoutes } from './work/routes.ts';

/** The route table: every API route of ODX, each stating who may call it. Tests walk it. */
export const apiRoutes: RouteSpec[] = [
  ...systemRoutes,
  ...departmentRoutes,
  meRoute(() => apiRoutes),
  ...accountRoutes,
  ...sessionRoutes,
  ...oidcRoutes,
  ...auditRoutes,
  ...classificationRoutes,
  ...documentRoutes('system', 'systems'),
  ...resourceRoutes,
  ...demandRoutes,
  ...schemaRoutes,
  ...censusImportRoutes,
  ...ledgerRoutes,
  ...loadRoutes,
  ...sharingRoutes,
  ...sharedDataRoutes,
  ...openDataRoutes,
  ...catalogRoutes,
  ...ckanRoutes,
  ...developerKeyRoutes,
  ...openApplicationRoutes,
  ...governanceRoutes,
  ...openIndexRoutes,
  ...errorReportRoutes,
  ...alertRoutes,
  ...workRoutes,
];
