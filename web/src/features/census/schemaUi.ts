/**
 * What the form shows is read off the schema itself: titles, the Chinese (or English) half of each
 * description, the Chinese names of codes (`x-labels`). This builds react-jsonschema-form's uiSchema
 * from them; nothing about a field is written twice.
 */
import type { RJSFSchema, UiSchema } from '@rjsf/utils';
import type { Lang } from '../../i18n/format.ts';

type Node = RJSFSchema & { 'x-labels'?: Record<string, string> };

/** A `#/$defs/x` reference resolved against the bundled root; the referring node's own keywords (title, description) win. */
export function resolve(node: Node | undefined, root: RJSFSchema): Node {
  if (!node) return {};
  const ref = typeof node.$ref === 'string' ? /^#\/\$defs\/(.+)$/.exec(node.$ref)?.[1] : undefined;
  if (!ref) return node;
  const { $ref: _ref, ...own } = node;
  const target = resolve(((root.$defs ?? {}) as Record<string, Node>)[ref], root);
  return { ...target, ...own };
}

/** The descriptions are "中文说明。English text.": the half in the person's language. */
export function describeIn(description: string | undefined, lang: Lang): string | undefined {
  if (!description) return undefined;
  const at = description.search(/(?<=[。）])\s*[A-Z`]/);
  if (at < 0) return description;
  return (lang === 'zh' ? description.slice(0, at) : description.slice(at)).trim();
}

/** Code → label, in the order of the enum. */
export function enumOptions(node: Node): { value: string; label: string }[] {
  const labels = node['x-labels'] ?? {};
  return ((node.enum ?? []) as unknown[]).map((v) => ({ value: String(v), label: labels[String(v)] ?? String(v) }));
}

/** The uiSchema of a (sub)schema: enum names from x-labels, descriptions in the person's language, `fields` for named properties. */
export function uiSchemaFor(node: Node, root: RJSFSchema, lang: Lang, fields: Record<string, string> = {}): UiSchema {
  const n = resolve(node, root);
  const ui: UiSchema = {};
  const description = describeIn(n.description, lang);
  if (description) ui['ui:description'] = description;
  if (Array.isArray(n.enum) && n['x-labels']) ui['ui:enumNames'] = enumOptions(n).map((o) => o.label);
  if (n.type === 'object' && n.properties) {
    for (const [name, child] of Object.entries(n.properties)) {
      if (typeof child !== 'object') continue;
      ui[name] = fields[name] ? { ...uiSchemaFor(child as Node, root, lang), 'ui:field': fields[name] } : uiSchemaFor(child as Node, root, lang);
    }
  }
  if (n.type === 'array' && n.items && typeof n.items === 'object' && !Array.isArray(n.items)) ui.items = uiSchemaFor(n.items as Node, root, lang);
  // the long texts get room to write
  if (n.type === 'string' && typeof n.maxLength === 'number' && n.maxLength >= 2000) ui['ui:widget'] = 'textarea';
  return ui;
}
