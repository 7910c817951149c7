import type { Knex } from 'knex';

/** The census: systems, resources (the catalogue), demands, their version history, and the classification tree. */
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    create table odx.classifications (
      code text primary key check (code ~ '^[1-3][0-9]{0,29}$'),
      parent_code text references odx.classifications(code),
      name text not null,
      created_at timestamptz not null default now(),
      check ((parent_code is null) = (length(code) = 1)),
      check (parent_code is null or starts_with(code, parent_code))
    );

    create table odx.systems (
      id bigint generated always as identity primary key,
      department_id bigint not null references odx.departments(id),
      name text not null,
      status text not null default 'active' check (status in ('active', 'retired')),
      doc jsonb not null,
      version int not null default 1,
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now()
    );
    create index systems_department on odx.systems (department_id, id);

    create table odx.resources (
      id bigint generated always as identity primary key,
      department_id bigint not null references odx.departments(id),
      status text not null check (status in ('draft', 'submitted', 'approved', 'published', 'retired')),
      doc jsonb not null,
      version int not null default 1,
      -- assigned on first publication, never reused
      code text unique,
      -- what the catalogue shows: the last published version; a revision in progress stays in doc
      published_doc jsonb,
      published_version int,
      published_at timestamptz,
      retired_at timestamptz,
      -- columns read by search and facets, derived from the visible document on every write
      name text not null,
      category text not null references odx.classifications(code),
      share_type text not null,
      open_type text not null,
      domain text,
      format_type text not null,
      update_cycle text not null,
      search tsvector not null,
      -- 编目挂接: real data stands behind the entry (set by loads)
      linked boolean not null default false,
      data_updated_at timestamptz,
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now()
    );
    create index resources_department on odx.resources (department_id, id);
    create index resources_search on odx.resources using gin (search);
    create index resources_published on odx.resources (id) where published_doc is not null and retired_at is null;

    create table odx.resource_code_sequences (
      category text primary key references odx.classifications(code),
      last_seq int not null check (last_seq between 1 and 999999)
    );

    create table odx.demands (
      id bigint generated always as identity primary key,
      department_id bigint not null references odx.departments(id),
      name text not null,
      status text not null default 'open' check (status in ('open', 'matched', 'requested', 'fulfilled', 'unfulfillable')),
      doc jsonb not null,
      version int not null default 1,
      reason text,
      matched_at timestamptz,
      requested_at timestamptz,
      fulfilled_at timestamptz,
      unfulfillable_at timestamptz,
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now(),
      check (status <> 'unfulfillable' or reason is not null)
    );
    create index demands_department on odx.demands (department_id, id);

    create table odx.demand_links (
      demand_id bigint not null references odx.demands(id),
      resource_id bigint not null references odx.resources(id),
      linked_at timestamptz not null default now(),
      linked_by bigint,
      primary key (demand_id, resource_id)
    );

    -- every create, edit and lifecycle step of a census document: who, when, which version
    create table odx.census_history (
      id bigint generated always as identity primary key,
      kind text not null check (kind in ('system', 'resource', 'demand')),
      doc_id bigint not null,
      version int not null,
      action text not null,
      status text not null,
      doc jsonb,
      note text,
      actor text not null,
      actor_id bigint,
      at timestamptz not null default now()
    );
    create index census_history_doc on odx.census_history (kind, doc_id, id);
  `);
  await knex('odx.classifications').insert(SEED_CLASSES.map(([code, name]) => ({ code, name, parent_code: code.length === 1 ? null : code.slice(0, 1) })));
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw(`
    drop table odx.census_history, odx.demand_links, odx.demands, odx.resource_code_sequences,
      odx.resources, odx.systems, odx.classifications;
  `);
}

/** 类 and 项 of 《政务信息资源目录编制指南》; the authority extends the tree with 目 and 细目. */
const SEED_CLASSES: [string, string][] = [
  ['1', '基础信息资源'],
  ['101', '人口信息'],
  ['102', '法人单位信息'],
  ['103', '自然资源和空间地理信息'],
  ['104', '社会信用信息'],
  ['105', '电子证照信息'],
  ['2', '主题信息资源'],
  ['201', '公共服务'],
  ['202', '健康保障'],
  ['203', '社会保障'],
  ['204', '食品药品安全'],
  ['205', '安全生产'],
  ['206', '价格监管'],
  ['207', '能源安全'],
  ['208', '信用体系建设'],
  ['209', '城乡建设'],
  ['210', '社区治理'],
  ['211', '生态环境'],
  ['212', '应急维稳'],
  ['213', '交通出行'],
  ['214', '文化旅游'],
  ['215', '普惠金融'],
  ['216', '市场监管'],
  ['3', '部门信息资源'],
];
