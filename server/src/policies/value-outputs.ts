/**
 * Every output of ODX that can carry a value read from a department's data tables, with who may
 * see it. A route missing from this list must never show such a value to anyone: the test
 * `test/integration/value-outputs.test.ts` plants known values, calls every route of the route
 * table as every kind of caller, and fails on a value seen where this list does not allow it —
 * or on a route it does not know how to call. docs/security.md renders this list for people.
 */
export interface ValueOutput {
  /** `METHOD /path` as in the route table, or a name for an output that is not a route. */
  output: string;
  /** Which values it carries. */
  carries: string;
  /** Who sees them, and how the read is recorded. */
  reach: string;
}

export const VALUE_OUTPUTS: readonly ValueOutput[] = [
  { output: 'GET /api/v1/datasets/:code/rows', carries: 'rows of an open dataset', reach: 'anyone: open items only, masked items masked; each read audited (dataset.rows)' },
  { output: 'GET /api/v1/datasets/:code/download', carries: 'rows of an open dataset (csv, ndjson, json, arrow, xlsx)', reach: 'anyone: as the rows; each download audited' },
  { output: 'GET /api/v1/datasets/:code', carries: 'the published quality profile: smallest and largest value of each open item', reach: 'anyone: open, unmasked items only (masked items show counts)' },
  { output: 'GET /api/3/action/:action', carries: 'CKAN datastore_search rows; package_show’s published profile', reach: 'anyone: as the open rows and the open dataset' },
  { output: 'POST /api/3/action/:action', carries: 'as GET /api/3/action/:action', reach: 'as GET /api/3/action/:action' },
  { output: 'GET /api/action/:action', carries: 'as GET /api/3/action/:action', reach: 'as GET /api/3/action/:action' },
  { output: 'POST /api/action/:action', carries: 'as GET /api/3/action/:action', reach: 'as GET /api/3/action/:action' },
  { output: 'GET /api/v1/shared/:code/rows', carries: 'rows of a shared resource, or of a conditionally open one', reach: 'the grant holder — a consumer department (its credentials, and its officers and registrars in the console), or the developer account (and its keys) whose open-data application was approved: granted items, rows inside the grant’s filter, masked as granted; each read audited with the reader and its purpose' },
  { output: 'GET /api/v1/shared/:code/download', carries: 'rows of a shared resource', reach: 'as the shared rows, when the grant allows downloads' },
  { output: 'POST /api/v1/shared/:code/verify', carries: 'whether a record with the caller’s values exists (no value is returned)', reach: 'the grant holder, on granted items inside the grant’s filter; audited' },
  { output: 'GET /api/v1/share-requests/:id', carries: 'the row filter of the request’s grant: values the providing officer wrote into its terms', reach: 'both departments of the request, the authority and administrators' },
  { output: 'GET /api/v1/grants', carries: 'as GET /api/v1/grants/:id', reach: 'as GET /api/v1/grants/:id' },
  { output: 'GET /api/v1/grants/:id', carries: 'the grant’s row filter (values written into its terms)', reach: 'both departments of the grant, the authority and administrators' },
  { output: 'GET /api/v1/open-applications/:id', carries: 'the row filter of the application’s grant: values the providing officer wrote into its terms', reach: 'the applying developer, the providing department, the authority and administrators' },
  { output: 'GET /api/v1/audit', carries: 'the terms recorded with a decision (a grant’s row filter) and the filters a reader sent', reach: 'the authority and administrators' },
  { output: 'GET /api/v1/resources/:id', carries: 'the quality profile’s smallest and largest values', reach: 'the holding department only, audited (data.profile.read); everyone else sees counts' },
  { output: 'GET /api/v1/resources/:ref/loads/:id/rejects.csv', carries: 'rejected cells of a loaded file, and messages that quote them', reach: 'the loading department only, audited (data.rejects.read)' },
  { output: 'GET /api/v1/error-reports', carries: 'as GET /api/v1/error-reports/:id', reach: 'as GET /api/v1/error-reports/:id' },
  {
    output: 'GET /api/v1/error-reports/:id',
    carries: 'what the reporter wrote — the row key, the description, the evidence — which may quote values of the dataset',
    reach: 'the reporting account (and, for department staff, their department), the providing department, the authority and administrators; the audit event names the report, never its text',
  },
  { output: 'logs', carries: 'none: a request line holds the path and query the caller sent, never a value read from a table', reach: 'operators' },
  { output: 'error messages', carries: 'none from a table: a row-query error names the caller’s own input; a load’s rejects stay in rejects.csv', reach: 'the caller' },
];

/** The routes among the outputs, as `METHOD /path` keys. */
export const VALUE_ROUTES: ReadonlySet<string> = new Set(VALUE_OUTPUTS.map((o) => o.output).filter((o) => /^(GET|POST|PUT|PATCH|DELETE) \//.test(o)));
