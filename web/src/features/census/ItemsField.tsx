/**
 * The resource's items (信息项) as an editable table: react-jsonschema-form's custom field for the
 * `items` array, because a list of 200 nested forms is neither readable nor fast. Columns, their
 * titles and the code lists come from the item schema (common.schema.json#/$defs/item); properties
 * the table has no column for are kept as they are. Typing changes only the row typed in (rows are
 * memoised, the table keeps its own copy) and reaches the form when the person leaves the table or
 * presses Enter, so a keystroke never re-renders the whole form.
 */
import { Alert, Button, Input, InputNumber, Space } from 'antd';
import { deepEquals, useDeepCompareMemo, type FieldProps, type RJSFSchema } from '@rjsf/utils';
import { memo, useCallback, useEffect, useRef, useState } from 'react';
import { useI18n } from '../../i18n/i18n.tsx';
import type { Translate } from '../../i18n/i18n.tsx';
import { enumOptions, resolve } from './schemaUi.ts';

type Item = Record<string, unknown>;
type Column = { key: string; title: string; kind: 'text' | 'number' | 'enum'; options?: { value: string; label: string }[]; required: boolean; width: number };

/** The columns the table edits, in this order; every other property of an item stays untouched. */
const COLUMN_KEYS: { key: string; width: number }[] = [
  { key: 'name', width: 150 },
  { key: 'label', width: 170 },
  { key: 'type', width: 120 },
  { key: 'length', width: 100 },
  { key: 'sensitivity', width: 120 },
  { key: 'mask', width: 170 },
];

function columnsOf(itemSchema: RJSFSchema, root: RJSFSchema): Column[] {
  const props = (itemSchema.properties ?? {}) as Record<string, RJSFSchema>;
  const required = new Set((itemSchema.required ?? []) as string[]);
  return COLUMN_KEYS.filter(({ key }) => props[key]).map(({ key, width }) => {
    const s = resolve(props[key], root);
    const kind = Array.isArray(s.enum) ? 'enum' : s.type === 'integer' || s.type === 'number' ? 'number' : 'text';
    return { key, title: String(s.title ?? key), kind, options: kind === 'enum' ? enumOptions(s) : undefined, required: required.has(key), width };
  });
}

type CellChange = (index: number, key: string, value: unknown) => void;

const Row = memo(function Row({
  index,
  item,
  last,
  columns,
  errors,
  onCell,
  onMove,
  onRemove,
  t,
  idPrefix,
}: {
  index: number;
  item: Item;
  last: boolean;
  columns: Column[];
  errors: Record<string, { __errors?: string[] }> | undefined;
  onCell: CellChange;
  onMove: (index: number, by: -1 | 1) => void;
  onRemove: (index: number) => void;
  t: Translate;
  idPrefix: string;
}) {
  const n = index + 1;
  return (
    <tr>
      <th scope="row" className="items-index">
        {n}
      </th>
      {columns.map((c) => {
        const errs = errors?.[c.key]?.__errors ?? [];
        const id = `${idPrefix}_${index}_${c.key}`;
        const label = `${t('census.items.row', { n })} ${c.title}`;
        const value = item[c.key];
        const invalid = errs.length > 0;
        return (
          <td key={c.key}>
            {c.kind === 'enum' ? (
              <select
                id={id}
                aria-label={label}
                aria-invalid={invalid || undefined}
                aria-describedby={invalid ? `${id}_err` : undefined}
                className={`items-select${invalid ? ' is-invalid' : ''}`}
                value={value === undefined ? '' : String(value)}
                onChange={(e) => onCell(index, c.key, e.target.value === '' ? undefined : e.target.value)}
              >
                <option value="">{c.required ? '—' : ''}</option>
                {c.options!.map((o) => (
                  <option key={o.value} value={o.value}>
                    {o.label}
                  </option>
                ))}
              </select>
            ) : c.kind === 'number' ? (
              <InputNumber
                id={id}
                aria-label={label}
                aria-invalid={invalid || undefined}
                aria-describedby={invalid ? `${id}_err` : undefined}
                status={invalid ? 'error' : undefined}
                value={typeof value === 'number' ? value : null}
                min={1}
                precision={0}
                onChange={(v) => onCell(index, c.key, v === null ? undefined : v)}
                style={{ width: '100%' }}
              />
            ) : (
              <Input
                id={id}
                aria-label={label}
                aria-invalid={invalid || undefined}
                aria-describedby={invalid ? `${id}_err` : undefined}
                status={invalid ? 'error' : undefined}
                value={typeof value === 'string' ? value : ''}
                onChange={(e) => onCell(index, c.key, e.target.value === '' ? undefined : e.target.value)}
              />
            )}
            {invalid && (
              <div id={`${id}_err`} className="items-error" role="alert">
                {errs.join('；')}
              </div>
            )}
          </td>
        );
      })}
      <td className="items-actions">
        <Space size={4}>
          <Button size="small" aria-label={t('census.items.up', { n })} disabled={index === 0} onClick={() => onMove(index, -1)}>
            ↑
          </Button>
          <Button size="small" aria-label={t('census.items.down', { n })} disabled={last} onClick={() => onMove(index, 1)}>
            ↓
          </Button>
          <Button size="small" danger aria-label={t('census.items.remove', { n })} onClick={() => onRemove(index)}>
            ✕
          </Button>
        </Space>
      </td>
    </tr>
  );
});

export function ItemsField(props: FieldProps<Item[]>) {
  const { t } = useI18n();
  const { schema, registry, formData, onChange, errorSchema, fieldPathId, rawErrors, disabled, readonly } = props;
  const root = registry.rootSchema;
  // the form hands a freshly resolved schema (and a new onChange) on each of its changes: the columns
  // are kept while equal and the callbacks read the latest onChange, so the rows' props stay the same
  const columns = useDeepCompareMemo(columnsOf(resolve(schema.items as RJSFSchema, root), root));
  const [rows, setRows] = useState<Item[]>(() => formData ?? []);
  // what the table last gave the form: a different formData comes from outside (a loaded entry)
  const sent = useRef<Item[] | undefined>(formData);
  // typed into a cell and not yet handed to the form
  const dirty = useRef(false);
  const timer = useRef<number | undefined>(undefined);
  const latest = useRef(rows);
  latest.current = rows;
  const path = fieldPathId.path;
  const report = useRef({ onChange, path });
  report.current = { onChange, path };

  useEffect(() => {
    if (formData === sent.current) return;
    const echo = deepEquals(formData, sent.current);
    sent.current = formData;
    // the form gives back what the table sent as a copy (its defaults pass): keeping the rows the table
    // has keeps their memoised rendering; only a different list (a loaded entry) replaces them
    if (!echo) setRows(formData ?? []);
  }, [formData]);

  const flush = useCallback(() => {
    window.clearTimeout(timer.current);
    timer.current = undefined;
    if (!dirty.current) return;
    dirty.current = false;
    sent.current = latest.current;
    report.current.onChange(latest.current, report.current.path);
  }, []);

  // a row added, moved or removed reaches the form at once; typing in a cell when the person leaves the
  // table or presses Enter (which submits) — each hand-over re-renders the whole form, a keystroke must not
  const update = useCallback(
    (change: (prev: Item[]) => Item[], now = false) => {
      setRows((prev) => {
        const next = change(prev);
        latest.current = next;
        return next;
      });
      dirty.current = true;
      if (now) {
        window.clearTimeout(timer.current);
        timer.current = window.setTimeout(flush, 0);
      }
    },
    [flush],
  );
  useEffect(() => () => window.clearTimeout(timer.current), []);

  const onCell = useCallback<CellChange>(
    (index, key, value) =>
      update((prev) => {
        const next = prev.slice();
        const item = { ...next[index] };
        if (value === undefined) delete item[key];
        else item[key] = value;
        next[index] = item;
        return next;
      }),
    [update],
  );
  const onMove = useCallback(
    (index: number, by: -1 | 1) =>
      update((prev) => {
        const next = prev.slice();
        [next[index], next[index + by]] = [next[index + by], next[index]];
        return next;
      }, true),
    [update],
  );
  const onRemove = useCallback((index: number) => update((prev) => prev.filter((_, i) => i !== index), true), [update]);
  const onAdd = () => update((prev) => [...prev, { type: 'C' }], true);

  const idPrefix = fieldPathId.$id;
  const errs = (errorSchema ?? {}) as Record<number, Record<string, { __errors?: string[] }>>;
  const title = String(schema.title ?? '');
  return (
    <fieldset
      className="items-field"
      onBlur={(e) => {
        if (!e.currentTarget.contains(e.relatedTarget as Node | null)) flush();
      }}
      onKeyDown={(e) => {
        if (e.key === 'Enter') flush();
      }}
    >
      <legend className="items-legend">
        {title}
        {props.required ? <span className="items-required"> *</span> : null}
        <span className="items-count">{t('census.items.count', { n: rows.length })}</span>
      </legend>
      {rawErrors && rawErrors.length > 0 && <Alert type="error" showIcon message={rawErrors.join('；')} className="items-alert" />}
      {/* a box that scrolls sideways on a narrow screen: focusable, so a keyboard can scroll it when its inputs
          are read-only (the controls are disabled by a fieldset inside it: one around it would disable the box too) */}
      <div className="items-scroll" role="region" aria-label={title} tabIndex={0}>
        <fieldset className="items-controls" disabled={disabled || readonly}>
          <table className="items-table">
            <thead>
              <tr>
                <th scope="col">#</th>
                {columns.map((c) => (
                  <th key={c.key} scope="col" style={{ minWidth: c.width }}>
                    {c.title}
                    {c.required ? <span className="items-required"> *</span> : null}
                  </th>
                ))}
                <th scope="col">{t('census.items.actions')}</th>
              </tr>
            </thead>
            <tbody>
              {rows.length === 0 ? (
                <tr>
                  <td colSpan={columns.length + 2} className="items-none">
                    {t('census.items.empty')}
                  </td>
                </tr>
              ) : (
                rows.map((item, i) => (
                  <Row
                    key={i}
                    index={i}
                    item={item}
                    last={i === rows.length - 1}
                    columns={columns}
                    errors={errs[i]}
                    onCell={onCell}
                    onMove={onMove}
                    onRemove={onRemove}
                    t={t}
                    idPrefix={idPrefix}
                  />
                ))
              )}
            </tbody>
          </table>
        </fieldset>
      </div>
      <Button onClick={onAdd} className="items-add" disabled={disabled || readonly}>
        + {t('census.items.add')}
      </Button>
    </fieldset>
  );
}
