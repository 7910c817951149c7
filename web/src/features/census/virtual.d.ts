/** The modules web/build/census-validators.ts generates at build time, one per census document kind. */
declare module 'virtual:census-validator/*' {
  import type { RJSFSchema } from '@rjsf/utils';
  import type { ValidatorFunctions } from '@rjsf/validator-ajv8';
  export const schema: RJSFSchema;
  export const validators: ValidatorFunctions;
}
