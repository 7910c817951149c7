import type { DocumentKind } from '../../schemas/validator.ts';

/** The three census lists and where each keeps its documents. */
export const CENSUS_KINDS = ['system', 'resource', 'demand'] as const;
export type CensusKind = (typeof CENSUS_KINDS)[number] & DocumentKind;

export interface KindInfo {
  table: string;
  /** The document property naming the owning department by its 统一社会信用代码. */
  ownerField: 'owner' | 'provider' | 'requester';
  /** The Chinese name of the list. */
  list: string;
  /** The Chinese name of one entry. */
  noun: string;
  initialStatus: string;
  /** Statuses in which the working document may be edited. */
  editable: string[];
}

export const KINDS: Record<CensusKind, KindInfo> = {
  system: { table: 'odx.systems', ownerField: 'owner', list: '系统清单', noun: '业务系统', initialStatus: 'active', editable: ['active'] },
  resource: { table: 'odx.resources', ownerField: 'provider', list: '数据清单', noun: '数据资源', initialStatus: 'draft', editable: ['draft', 'published'] },
  demand: { table: 'odx.demands', ownerField: 'requester', list: '需求清单', noun: '数据需求', initialStatus: 'open', editable: ['open', 'matched'] },
};
