import type { Knex } from 'knex';

/**
 * Error reports (校核纠错) and alerts (docs/error-reports.md, docs/alerts.md).
 *
 * An error report's life is kept in its own timestamps — made, answered, fixed — and none of them
 * changes once set, so the indicators count reports as they stood at any date from these columns
 * alone. An alert is raised once per key (a request's deadline, a staleness episode, a day of
 * unusual reads), and every attempt to deliver it to the webhook is a row of its own.
 *
 * Indicator snapshots keep their per-resource lists (stale resources, quality by resource, use by
 * dataset) apart from the figures: a city's month holds one list entry per resource — megabytes —
 * and the dashboard's trend reads only the figures.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    create table odx.error_reports (
      id bigint generated always as identity primary key,
      resource_id bigint not null references odx.resources(id),
      resource_code text not null,
      provider_department_id bigint not null references odx.departments(id),
      reporter_id bigint references odx.principals(id),
      reporter_department_id bigint references odx.departments(id),
      -- how the reporter reaches the data: an open dataset, a grant in force, their own department's, or oversight
      channel text not null check (channel in ('open', 'shared', 'own', 'oversight')),
      row_key text,
      item text,
      description text not null,
      evidence text,
      state text not null check (state in ('open', 'accepted', 'fixed', 'rejected')),
      limit_days int not null check (limit_days >= 0),
      due_at timestamptz not null,
      created_at timestamptz not null,
      answered_at timestamptz,
      answered_by bigint references odx.principals(id),
      late boolean,
      answer text,
      fixed_load_id bigint references odx.loads(id),
      fixed_at timestamptz,
      check ((state = 'open') = (answered_at is null)),
      check (state <> 'rejected' or answer is not null),
      check ((state = 'fixed') = (fixed_load_id is not null))
    );
    create index error_reports_provider on odx.error_reports (provider_department_id, id);
    create index error_reports_reporter on odx.error_reports (reporter_id, id);
    create index error_reports_reporter_department on odx.error_reports (reporter_department_id, id) where reporter_department_id is not null;
    create index error_reports_resource on odx.error_reports (resource_id, id);
    create index error_reports_waiting on odx.error_reports (due_at) where state = 'open';
    create index error_reports_created on odx.error_reports (created_at);

    create table odx.alerts (
      id bigint generated always as identity primary key,
      kind text not null check (kind in ('request_due', 'error_report_due', 'stale_resource', 'leak_watch')),
      -- one alert per key: a request's deadline, a report, a staleness episode, a grant's or key's day
      key text not null unique,
      department_id bigint references odx.departments(id),
      target_type text not null,
      target_id text not null,
      detail jsonb not null default '{}',
      raised_at timestamptz not null,
      acknowledged_at timestamptz,
      acknowledged_by bigint references odx.principals(id),
      -- the webhook: pending until delivered or out of attempts; none when no webhook is configured
      webhook_state text not null check (webhook_state in ('none', 'pending', 'delivered', 'failed')),
      webhook_attempts int not null default 0,
      webhook_next_at timestamptz
    );
    create index alerts_department on odx.alerts (department_id, id);
    create index alerts_webhook on odx.alerts (webhook_next_at) where webhook_state = 'pending';

    create table odx.webhook_deliveries (
      id bigint generated always as identity primary key,
      alert_id bigint not null references odx.alerts(id),
      attempt int not null,
      url text not null,
      at timestamptz not null,
      status int,
      error text,
      duration_ms int not null
    );
    create index webhook_deliveries_alert on odx.webhook_deliveries (alert_id, id);

    alter table odx.indicator_snapshots add column lists jsonb not null default '{}';
    update odx.indicator_snapshots set
      lists = jsonb_build_object('stale', indicators #> '{timeliness,stale}', 'resources', indicators #> '{quality,resources}', 'usage', indicators #> '{open,usage}'),
      indicators = indicators #- '{timeliness,stale}' #- '{quality,resources}' #- '{open,usage}';
  `);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw(`
    update odx.indicator_snapshots set indicators = jsonb_set(jsonb_set(jsonb_set(indicators,
      '{timeliness,stale}', coalesce(lists->'stale', '[]')), '{quality,resources}', coalesce(lists->'resources', '[]')), '{open,usage}', coalesce(lists->'usage', '[]'));
    alter table odx.indicator_snapshots drop column lists;
    drop table odx.webhook_deliveries, odx.alerts, odx.error_reports;
  `);
}
