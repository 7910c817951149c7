/** The classification tree (信息资源分类: GET/POST /api/v1/classifications) as the console reads and extends it. */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { apiGet, apiSend } from '../../api/client.ts';
import type { Answer, Schema } from '../../api/types.ts';

export type Classification = Schema<'Classification'>;

export const classificationKeys = { all: ['classifications'] as const };

export function useClassifications() {
  return useQuery({
    queryKey: classificationKeys.all,
    queryFn: ({ signal }) => apiGet<Answer<'listClassifications'>>('/api/v1/classifications', {}, signal),
    staleTime: 5 * 60_000,
  });
}

export function useCreateClassification() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: { code: string; name: string; parentCode: string }) => apiSend<Classification>('POST', '/api/v1/classifications', body),
    onSuccess: () => qc.invalidateQueries({ queryKey: classificationKeys.all }),
  });
}

export interface ClassNode {
  key: string;
  value: string;
  title: string;
  code: string;
  name: string;
  children: ClassNode[];
}

/** The flat list as a tree: each class under its parent, in code order (the API's order). */
export function classTree(items: readonly Classification[]): ClassNode[] {
  const nodes = new Map<string, ClassNode>();
  for (const c of items) nodes.set(c.code, { key: c.code, value: c.code, title: `${c.code} ${c.name}`, code: c.code, name: c.name, children: [] });
  const roots: ClassNode[] = [];
  for (const c of items) {
    const parent = c.parentCode ? nodes.get(c.parentCode) : undefined;
    (parent ? parent.children : roots).push(nodes.get(c.code)!);
  }
  return roots;
}
