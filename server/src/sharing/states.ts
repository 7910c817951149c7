/**
 * The share-request state machine (docs/sharing.md has the diagram).
 *
 *   submit ──> submitted ──check pass──> granted            (无条件共享: no human step after the check)
 *                 │                 └──> provider_review    (有条件共享)
 *                 │                 └──> disputed           (不予共享, requested as a dispute)
 *                 └─check reject──> rejected
 *   provider_review ──approve──> granted      ──refuse──> refused ──dispute──> disputed
 *   disputed ──decide grant──> granted        ──decide deny──> denied
 *   submitted | provider_review | disputed ──withdraw──> withdrawn
 *
 * Waiting states carry a deadline in working days; the others are final (a refused request
 * waits for nobody: the consumer may dispute it or leave it).
 */
export const STATES = ['submitted', 'provider_review', 'granted', 'refused', 'disputed', 'denied', 'rejected', 'withdrawn'] as const;
export type State = (typeof STATES)[number];

export const WAITING: readonly State[] = ['submitted', 'provider_review', 'disputed'];

/** A step of a share request's workflow, as its step records name it. */
export type ShareStep = 'submit' | 'check' | 'reject' | 'approve' | 'refuse' | 'dispute' | 'grant' | 'deny' | 'withdraw';

/** The states each step starts from. */
export const FROM: Record<Exclude<ShareStep, 'submit'>, readonly State[]> = {
  check: ['submitted'],
  reject: ['submitted'],
  approve: ['provider_review'],
  refuse: ['provider_review'],
  dispute: ['refused'],
  grant: ['disputed'],
  deny: ['disputed'],
  withdraw: ['submitted', 'provider_review', 'disputed'],
};

/** Who acts in each waiting state (for the inboxes). */
export const WAITS_FOR: Partial<Record<State, 'authority' | 'provider' | 'consumer'>> = {
  submitted: 'authority',
  provider_review: 'provider',
  disputed: 'authority',
  refused: 'consumer',
};

export const SHARE_TYPES = ['unconditional', 'conditional', 'none'] as const;
export type ShareType = (typeof SHARE_TYPES)[number];

const STRICTNESS: Record<ShareType, number> = { unconditional: 0, conditional: 1, none: 2 };

/** The strictest of share types. */
export function strictest(types: ShareType[]): ShareType {
  return types.reduce((a, b) => (STRICTNESS[b] > STRICTNESS[a] ? b : a), 'unconditional' as ShareType);
}

export const ACCESS_MODES = ['query', 'download', 'verify'] as const;
export type AccessMode = (typeof ACCESS_MODES)[number];
