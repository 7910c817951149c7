import { useMutation } from '@tanstack/react-query';
import { apiCall, type Problem } from '../../api/client.ts';
import type { Schema } from '../../api/types.ts';

export const KINDS = ['systems', 'resources', 'demands'] as const;
export type ListKind = (typeof KINDS)[number];

/** A problem of a refused workbook (docs/census-import.md): where it is as Excel shows it, and why. */
export interface ImportProblem extends Problem {
  sheet: string;
  row: number;
  column: string | null;
  value?: string;
}

export const templateUrl = (kind: ListKind) => `/api/v1/census/templates/${kind}`;

/** POST /api/v1/census/imports as multipart: the file, and the items file for resources as CSV. */
export function useCensusImport() {
  return useMutation({
    mutationFn: async (input: { kind: ListKind; department: string; file: File; items?: File }) => {
      const form = new FormData();
      form.append('file', input.file, input.file.name);
      if (input.items) form.append('items', input.items, input.items.name);
      return apiCall<Schema<'CensusImportResult'>>('POST', '/api/v1/census/imports', { params: { kind: input.kind, department: input.department }, form });
    },
  });
}
