import { accountRoutes } from './auth/accounts/routes.ts';
import { auditRoutes } from './audit/routes.ts';
import { departmentRoutes } from './census/departments/routes.ts';
import type { RouteSpec } from './http/route.ts';
import { systemRoutes } from './system/routes.ts';

/** The route table: every API route of ODX, each stating who may call it. Tests walk it. */
export const apiRoutes: RouteSpec[] = [...systemRoutes, ...departmentRoutes, ...accountRoutes, ...auditRoutes];
