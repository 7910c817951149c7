import type { Knex } from 'knex';

/**
 * Keeps each resource's search vector in the table row instead of TOAST. A catalogue entry's
 * tsvector (CJK unigrams and bigrams with positions) is about 1.8 kB and does not compress,
 * so with the default storage it went out of line; every `@@` test and ts_rank outside the
 * GIN index then fetched it from the TOAST table, about 12–30 µs a row against 3 µs inline.
 * With STORAGE MAIN the documents (doc, published_doc) move out of line instead: they are
 * only read for the rows a page shows. docs/search.md has the measurements.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`alter table odx.resources alter column search set storage main`);
  // vectors stored before this migration stay out of line until rewritten
  await knex.raw(`update odx.resources set search = search || ''::tsvector`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw(`alter table odx.resources alter column search set storage extended`);
}
