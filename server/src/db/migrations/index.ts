import type { Knex } from 'knex';
import * as m001 from './001_foundation.ts';
import * as m002 from './002_census.ts';
import * as m003 from './003_loads.ts';
import * as m004 from './004_open.ts';
import * as m005 from './005_sharing.ts';
import * as m006 from './006_search_tuning.ts';
import * as m007 from './007_search_speed.ts';
import * as m008 from './008_change_notify.ts';
import * as m009 from './009_audit_lean.ts';
import * as m010 from './010_sessions.ts';
import * as m011 from './011_least_privilege.ts';
import * as m013 from './013_indicators.ts';
import * as m014 from './014_crypto_suite.ts';
import * as m016 from './016_jobs.ts';
import * as m017 from './017_error_reports_alerts.ts';
import * as m021 from './021_open_applications.ts';
import * as m022 from './022_job_queue.ts';
import * as m024 from './024_resource_approval_deadline.ts';

export interface Migration {
  name: string;
  up(knex: Knex): Promise<void>;
  down(knex: Knex): Promise<void>;
}

export const migrations: Migration[] = [
  { name: '001_foundation', ...m001 },
  { name: '002_census', ...m002 },
  { name: '003_loads', ...m003 },
  { name: '004_open', ...m004 },
  { name: '005_sharing', ...m005 },
  { name: '006_search_tuning', ...m006 },
  { name: '007_search_speed', ...m007 },
  { name: '008_change_notify', ...m008 },
  { name: '009_audit_lean', ...m009 },
  { name: '010_sessions', ...m010 },
  { name: '011_least_privilege', ...m011 },
  { name: '013_indicators', ...m013 },
  { name: '014_crypto_suite', ...m014 },
  { name: '016_jobs', ...m016 },
  { name: '017_error_reports_alerts', ...m017 },
  { name: '021_open_applications', ...m021 },
  { name: '022_job_queue', ...m022 },
  { name: '024_resource_approval_deadline', ...m024 },
];
