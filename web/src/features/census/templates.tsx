/**
 * How the census forms draw what react-jsonschema-form's Ant Design theme would draw differently, for
 * the form to keep up with typing in a document of hundreds of items (issue 16):
 *
 * - A group (an object or a list, which has no label of its own) is not wrapped in an antd Form.Item.
 *   A Form.Item hands what is below it a new context value on each of its renders, and the whole
 *   form re-renders on each change: React then walked everything under the root and the items
 *   table — thousands of elements — looking for that context's readers on every keystroke anywhere.
 * - A text field keeps what is typed in its own state and hands it to the form when the person leaves
 *   the field or presses Enter (which submits), as the items table does: each hand-over is a change of
 *   the whole form (defaults, the schema's if/then branches, sanitising, over every item), which a
 *   keystroke must not be. What the person typed is on screen at once; nothing in the form reads it
 *   before it is handed over (there is no live validation), and the hand-over comes before a submit.
 */
import { Templates, Widgets } from '@rjsf/antd';
import { getTemplate, getUiOptions, type FieldTemplateProps, type TemplatesType, type WidgetProps } from '@rjsf/utils';
import { useCallback, useRef, useState, type ComponentType, type KeyboardEvent } from 'react';

const AntFieldTemplate = Templates.FieldTemplate as ComponentType<FieldTemplateProps>;
const AntBaseInput = Templates.BaseInputTemplate as ComponentType<WidgetProps>;
const AntTextarea = Widgets.TextareaWidget as ComponentType<WidgetProps>;

function FieldTemplate(props: FieldTemplateProps) {
  const { schema, displayLabel, hidden, children, description, rawDescription, errors, rawErrors, registry, uiSchema } = props;
  const group = (schema.type === 'object' || schema.type === 'array') && !displayLabel;
  if (!group || hidden) return <AntFieldTemplate {...props} />;
  const WrapIfAdditionalTemplate = getTemplate('WrapIfAdditionalTemplate', registry, getUiOptions(uiSchema));
  return (
    <WrapIfAdditionalTemplate {...props}>
      <div className="census-group">
        {children}
        {rawDescription ? <div className="census-group-description">{description}</div> : null}
        {rawErrors?.length ? errors : null}
      </div>
    </WrapIfAdditionalTemplate>
  );
}

/** A text widget that hands its value to the form when the person leaves it or presses Enter. */
function handedOverOnLeaving(Inner: ComponentType<WidgetProps>): ComponentType<WidgetProps> {
  return function TypedHere(props: WidgetProps) {
    const { value, onChange, onBlur } = props;
    // the text shown, and the form's value it was last in step with: a different value from the form
    // (a loaded entry, a default the schema sets) replaces what is shown
    const [shown, setShown] = useState<{ text: unknown; from: unknown }>({ text: value, from: value });
    let text = shown.text;
    if (!Object.is(shown.from, value)) {
      text = value;
      setShown({ text: value, from: value });
    }
    const typed = useRef<{ text: unknown } | null>(null);
    const report = useRef(onChange);
    report.current = onChange;
    const handOver = useCallback(() => {
      const pending = typed.current;
      if (!pending) return;
      typed.current = null;
      setShown({ text: pending.text, from: pending.text });
      report.current(pending.text);
    }, []);
    return (
      <div className="census-text" onKeyDown={(e: KeyboardEvent) => e.key === 'Enter' && handOver()}>
        <Inner
          {...props}
          value={text}
          onChange={(next: unknown) => {
            typed.current = { text: next };
            setShown((s) => ({ ...s, text: next }));
          }}
          onBlur={(id: string, v: unknown) => {
            handOver();
            onBlur(id, v);
          }}
        />
      </div>
    );
  };
}

export const CENSUS_TEMPLATES: Partial<TemplatesType> = { FieldTemplate, BaseInputTemplate: handedOverOnLeaving(AntBaseInput) };
export const CENSUS_WIDGETS = { TextareaWidget: handedOverOnLeaving(AntTextarea) };
