/**
 * The JSON paths of fields a body carried that its schema does not know. zod drops unknown keys
 * without a word; a person who misspells `expiresInDays` would then get the default silently, so
 * the gate compares what came in with what the schema kept and refuses the difference.
 */
export function unknownFields(input: unknown, kept: unknown, path = ''): string[] {
  if (isPlainObject(input) && isPlainObject(kept)) {
    return Object.keys(input).flatMap((key) => {
      const at = `${path}/${key.replace(/~/g, '~0').replace(/\//g, '~1')}`;
      return key in kept ? unknownFields(input[key], kept[key], at) : [at];
    });
  }
  if (Array.isArray(input) && Array.isArray(kept) && input.length === kept.length) {
    return input.flatMap((v, i) => unknownFields(v, kept[i], `${path}/${i}`));
  }
  return [];
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && Object.getPrototypeOf(v) === Object.prototype;
}
