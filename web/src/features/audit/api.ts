/** The audit trail as the authority's console reads it: search, the signed head, checkpoints, verification in steps. */
import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useRef, useState } from 'react';
import { apiCall, apiGet, apiSend, type QueryValue } from '../../api/client.ts';
import type { Answer, Schema } from '../../api/types.ts';

export type AuditEvent = Schema<'AuditEvent'>;
export type SignedHead = Schema<'SignedHead'>;
export type Checkpoint = Schema<'Checkpoint'>;
export type VerifyStep = Schema<'AuditVerifyStep'>;

export function useAuditSearch(params: Record<string, QueryValue>) {
  return useQuery({
    queryKey: ['audit', 'events', params],
    queryFn: ({ signal }) => apiGet<Answer<'searchAudit'>>('/api/v1/audit', { ...params, limit: 20 }, signal),
    placeholderData: keepPreviousData,
  });
}

export function useAuditHead() {
  return useQuery({ queryKey: ['audit', 'head'], queryFn: ({ signal }) => apiGet<SignedHead>('/api/v1/audit/head', {}, signal) });
}

export function useCheckpoints(cursor: string | undefined) {
  return useQuery({
    queryKey: ['audit', 'checkpoints', cursor],
    queryFn: ({ signal }) => apiGet<Answer<'listAuditCheckpoints'>>('/api/v1/audit/checkpoints', { cursor, limit: 10 }, signal),
    placeholderData: keepPreviousData,
  });
}

export function useCreateCheckpoint() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: () => apiSend<Checkpoint>('POST', '/api/v1/audit/checkpoints'),
    onSuccess: () => qc.invalidateQueries({ queryKey: ['audit'] }),
  });
}

export interface Verification {
  /** The first step's answer: what the verification rests on. */
  first: VerifyStep;
  /** The latest step's answer: how far it got, and the outcome once not running. */
  last: VerifyStep;
  /** Events recomputed so far. */
  checked: number;
}

/**
 * Runs POST /api/v1/audit/verify step after step until the chain is found intact or broken, so
 * a chain of millions of events is verified in short calls and the page shows how far it got.
 */
export function useVerification() {
  const [state, setState] = useState<{ running: boolean; result: Verification | null; error: unknown }>({ running: false, result: null, error: null });
  const abort = useRef<AbortController | null>(null);
  const run = async (from: 'genesis' | 'checkpoint') => {
    abort.current?.abort();
    const controller = new AbortController();
    abort.current = controller;
    setState({ running: true, result: null, error: null });
    try {
      const call = (body: object) => apiCall<VerifyStep>('POST', '/api/v1/audit/verify', { body, signal: controller.signal });
      const first = await call({ from });
      let last = first;
      let checked = first.checked;
      setState({ running: true, result: { first, last, checked }, error: null });
      while (last.state === 'running') {
        last = await call({ after: last.verifiedTo, hash: last.hash });
        checked += last.checked;
        setState({ running: true, result: { first, last, checked }, error: null });
      }
      setState({ running: false, result: { first, last, checked }, error: null });
    } catch (error) {
      if ((error as Error).name === 'AbortError') return setState((s) => ({ ...s, running: false }));
      setState((s) => ({ ...s, running: false, error }));
    }
  };
  return { ...state, run, cancel: () => abort.current?.abort() };
}
