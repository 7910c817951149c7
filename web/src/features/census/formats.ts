/**
 * The string formats the precompiled census validators call (web/build/census-validators.ts points
 * Ajv's generated code here): ajv-formats' and ODX's checked identifiers, the server's own functions.
 */
import { fullFormats } from 'ajv-formats/dist/formats.js';
import { CUSTOM_FORMATS } from '../../../../server/src/schemas/keywords.ts';

export default { ...fullFormats, ...CUSTOM_FORMATS };
