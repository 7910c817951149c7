import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { apiGet, apiSend } from '../../api/client.ts';
import type { Answer, Schema } from '../../api/types.ts';
import { accountKeys } from '../account/api.ts';

export type Department = Schema<'DepartmentRecord'>;
export type Principal = Schema<'Principal'>;
export type Token = Schema<'Token'>;
export type Role = Principal['roles'][number];

export const adminKeys = { departments: ['departments'] as const, principals: ['admin', 'principals'] as const, tokens: ['admin', 'tokens'] as const };

/** The whole department tree (GET /api/v1/departments: public, one list). */
export function useDepartments() {
  return useQuery({ queryKey: [...adminKeys.departments, 'all'], queryFn: ({ signal }) => apiGet<Answer<'listDepartments'>>('/api/v1/departments', {}, signal), staleTime: 60_000 });
}

export interface DepartmentInput {
  name: string;
  shortName?: string;
  uscc: string;
  regionCode: string;
  kind: Department['kind'];
  parentId: number | null;
}

/** Creates a department (POST) or changes one (PATCH /:id); every cached department is asked again. */
export function useSaveDepartment() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: ({ id, body }: { id: number | null; body: Partial<DepartmentInput> }) =>
      id === null ? apiSend<Department>('POST', '/api/v1/departments', body) : apiSend<Department>('PATCH', `/api/v1/departments/${id}`, body),
    onSuccess: () => client.invalidateQueries({ queryKey: adminKeys.departments }),
  });
}

/** Accounts the caller may see: every one for an administrator, their department's for an officer (the server scopes). */
export function usePrincipals() {
  return useQuery({ queryKey: adminKeys.principals, queryFn: ({ signal }) => apiGet<Answer<'listPrincipals'>>('/api/v1/principals', {}, signal) });
}

export interface PrincipalInput {
  login: string;
  displayName: string;
  departmentId: number | null;
  roles: Role[];
  email?: string;
  phone?: string;
}

export function useCreatePrincipal() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (body: PrincipalInput) => apiSend<Principal>('POST', '/api/v1/principals', body),
    onSuccess: () => client.invalidateQueries({ queryKey: adminKeys.principals }),
  });
}

/** Changes roles or name, or disables (its sessions end) or enables an account. */
export function useUpdatePrincipal() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: ({ id, body }: { id: number; body: { roles?: Role[]; displayName?: string; disabled?: boolean } }) => apiSend<Principal>('PATCH', `/api/v1/principals/${id}`, body),
    onSuccess: () => client.invalidateQueries({ queryKey: adminKeys.principals }),
  });
}

/** A new password made by the server for the account, in this answer only. */
export function useIssuePassword() {
  return useMutation({ mutationFn: (id: number) => apiSend<Schema<'PasswordIssued'>>('POST', `/api/v1/principals/${id}/password`) });
}

/** Every token the caller's reach covers (an administrator all, an officer their department's), never a secret. */
export function useAllTokens() {
  return useQuery({ queryKey: adminKeys.tokens, queryFn: ({ signal }) => apiGet<Answer<'listTokens'>>('/api/v1/tokens', {}, signal) });
}

export function useCreateTokenFor() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (body: { principalId: number; name: string; scopes: ('read' | 'write')[]; expiresInDays?: number }) => apiSend<Schema<'TokenWithSecret'>>('POST', '/api/v1/tokens', body),
    onSuccess: () => Promise.all([client.invalidateQueries({ queryKey: adminKeys.tokens }), client.invalidateQueries({ queryKey: accountKeys.tokens })]),
  });
}

export function useRevokeAnyToken() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (id: number) => apiSend<unknown>('POST', `/api/v1/tokens/${id}/revoke`),
    onSuccess: () => Promise.all([client.invalidateQueries({ queryKey: adminKeys.tokens }), client.invalidateQueries({ queryKey: accountKeys.tokens })]),
  });
}

/** The tree of departments from the flat list, children in the list's order. */
export interface DepartmentNode extends Department {
  children?: DepartmentNode[];
}

export function departmentTree(list: readonly Department[]): DepartmentNode[] {
  const nodes = new Map<number, DepartmentNode>(list.map((d) => [d.id, { ...d }]));
  const roots: DepartmentNode[] = [];
  for (const d of list) {
    const node = nodes.get(d.id)!;
    const parent = d.parentId === null ? undefined : nodes.get(d.parentId);
    if (parent) (parent.children ??= []).push(node);
    else roots.push(node);
  }
  return roots;
}
