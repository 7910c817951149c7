import type { MessageKey } from '../../i18n/messages.ts';

export type CensusKind = 'system' | 'resource' | 'demand';

/** What differs between the three census lists: where the API keeps them and the words for them. */
export interface KindConfig {
  kind: CensusKind;
  /** The console path and the API's plural (`/api/v1/<plural>`). */
  plural: 'systems' | 'resources' | 'demands';
  list: MessageKey;
  create: MessageKey;
  /** The statuses an entry of this list can be in, for the filter. */
  statuses: readonly string[];
  /** The document property naming the department, filled with the person's own. */
  ownerField: 'owner' | 'provider' | 'requester';
  /** Only resources go through approval (submit, withdraw). */
  lifecycle: boolean;
}

export const KIND_CONFIG: Readonly<Record<CensusKind, KindConfig>> = {
  system: { kind: 'system', plural: 'systems', list: 'census.systems', create: 'census.new.system', statuses: ['active'], ownerField: 'owner', lifecycle: false },
  resource: {
    kind: 'resource',
    plural: 'resources',
    list: 'census.resources',
    create: 'census.new.resource',
    statuses: ['draft', 'submitted', 'approved', 'published', 'retired'],
    ownerField: 'provider',
    lifecycle: true,
  },
  demand: {
    kind: 'demand',
    plural: 'demands',
    list: 'census.demands',
    create: 'census.new.demand',
    statuses: ['open', 'matched', 'requested', 'fulfilled', 'unfulfillable'],
    ownerField: 'requester',
    lifecycle: false,
  },
};

/** Statuses in which the server lets the working document be replaced (server/src/census/documents/kinds.ts). */
export const EDITABLE: Readonly<Record<CensusKind, readonly string[]>> = { system: ['active'], resource: ['draft', 'published'], demand: ['open', 'matched'] };
