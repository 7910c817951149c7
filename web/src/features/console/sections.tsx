import type { QueryClient } from '@tanstack/react-query';
import type { ComponentType } from 'react';
import type { MessageKey } from '../../i18n/messages.ts';
import { prefetchInbox } from '../work/prefetch.ts';

export type ConsoleGroup = 'work' | 'census' | 'sharing' | 'open' | 'oversight' | 'admin' | 'account';

/** The menu's groups, in the order the menu shows them. */
export const GROUPS: readonly ConsoleGroup[] = ['work', 'census', 'sharing', 'open', 'oversight', 'admin', 'account'];

/**
 * A page of the console. It is in the menu, and its route exists, only for a person whose abilities
 * (GET /api/v1/me, read off the route table) include `ability` — the operation the page cannot work
 * without — so the console never keeps its own copy of the role rules.
 */
export interface ConsoleSection {
  /** Under /console/; may hold route parameters after the first segment's page (e.g. `resources/:id`). */
  path: string;
  group: ConsoleGroup;
  label: MessageKey;
  /** The operationId the page needs; null for every signed-in person. */
  ability: string | null;
  /** The reach on `ability` the page needs, when its own account is not enough (a list every role calls for its own records). */
  reach?: 'own' | 'any';
  /** Pages that are reached from another page (a detail, a form), not listed in the menu. */
  hidden?: true;
  page: () => Promise<ComponentType>;
  /**
   * Starts the page's first query when it is navigated to, in parallel with loading its code (run only
   * for a person with `ability`). Part of the entry chunk, not loaded with the page: the request leaves
   * at the click rather than after the browser has parsed the page's chunks.
   */
  prefetch?: (client: QueryClient, url: URL) => void;
}

/** Every console page. A feature adds its pages here; each is loaded only when visited. */
export const SECTIONS: readonly ConsoleSection[] = [
  // administration: the department tree, accounts and roles, tokens (features/admin, docs/guide/admin.md); officers get the accounts and tokens of their department
  { path: 'admin/departments', group: 'admin', label: 'admin.menu.departments', ability: 'createDepartment', page: async () => (await import('../admin/DepartmentsPage.tsx')).DepartmentsPage },
  { path: 'admin/accounts', group: 'admin', label: 'admin.menu.accounts', ability: 'listPrincipals', page: async () => (await import('../admin/AccountsPage.tsx')).AccountsPage },
  { path: 'admin/tokens', group: 'admin', label: 'admin.menu.tokens', ability: 'listTokens', reach: 'own', page: async () => (await import('../admin/TokensPage.tsx')).TokensPage },
  // census uploads (docs/guide/registrar.md)
  { path: 'census-import', group: 'census', label: 'censusImport.title', ability: 'importCensus', page: async () => (await import('../census-import/CensusImportPage.tsx')).CensusImportPage },
  { path: 'loads', group: 'census', label: 'loads.title', ability: 'startLoad', page: async () => (await import('../loads/LoadsPage.tsx')).LoadsPage },
  { path: 'account', group: 'account', label: 'account.menu', ability: null, page: async () => (await import('../account/AccountPage.tsx')).AccountPage },
  // 待办: what waits on the department (docs/guide/officer.md)
  { path: 'inbox', group: 'work', label: 'work.menu.inbox', ability: 'approveShareRequest', page: async () => (await import('../work/InboxPage.tsx')).InboxPage, prefetch: prefetchInbox },
  { path: 'inbox/share-requests/:id', group: 'work', label: 'work.menu.inbox', ability: 'approveShareRequest', hidden: true, page: async () => (await import('../work/AnswerShareRequestPage.tsx')).AnswerShareRequestPage },
  // sharing: the consumer department's requests and data, the officer's grants and credentials
  { path: 'sharing/request', group: 'sharing', label: 'sharing.menu.request', ability: 'createShareRequest', page: async () => (await import('../sharing/RequestDataPage.tsx')).RequestDataPage },
  { path: 'sharing/requests', group: 'sharing', label: 'sharing.menu.requests', ability: 'createShareRequest', page: async () => (await import('../sharing/MyRequestsPage.tsx')).MyRequestsPage },
  { path: 'sharing/requests/:id', group: 'sharing', label: 'sharing.menu.requests', ability: 'getShareRequest', hidden: true, page: async () => (await import('../sharing/RequestDetailPage.tsx')).RequestDetailPage },
  { path: 'sharing/data/:grantId', group: 'sharing', label: 'sharing.menu.grants', ability: 'querySharedRows', hidden: true, page: async () => (await import('../sharing/SharedDataPage.tsx')).SharedDataPage },
  { path: 'sharing/grants', group: 'sharing', label: 'sharing.menu.grants', ability: 'listGrants', page: async () => (await import('../sharing/GrantsPage.tsx')).GrantsPage },
  { path: 'sharing/credentials', group: 'sharing', label: 'sharing.menu.credentials', ability: 'createConsumerCredential', page: async () => (await import('../sharing/CredentialsPage.tsx')).CredentialsPage },
  // the data authority (docs/guide/authority.md)
  { path: 'oversight/publish', group: 'oversight', label: 'oversight.menu.publish', ability: 'publishResource', page: async () => (await import('../oversight/PublishQueuePage.tsx')).PublishQueuePage },
  { path: 'oversight/disputes', group: 'oversight', label: 'oversight.menu.disputes', ability: 'decideShareRequest', page: async () => (await import('../oversight/DisputesPage.tsx')).DisputesPage },
  { path: 'oversight/disputes/:id', group: 'oversight', label: 'oversight.menu.disputes', ability: 'decideShareRequest', hidden: true, page: async () => (await import('../oversight/DecidePage.tsx')).DecidePage },
  // 考核评价: the monthly evaluation report (web/src/features/evaluation/)
  { path: 'evaluation', group: 'oversight', label: 'evaluation.menu', ability: 'getEvaluation', page: async () => (await import('../evaluation/EvaluationPage.tsx')).EvaluationPage },
  { path: 'oversight/overdue', group: 'oversight', label: 'oversight.menu.overdue', ability: 'checkShareRequest', page: async () => (await import('../oversight/OverduePage.tsx')).OverduePage },
  // governance: the dashboard of indicators, evaluation and what is overdue (docs/guide/authority.md); an officer sees their own department's
  { path: 'governance', group: 'oversight', label: 'gov.menu', ability: 'getIndicators', page: async () => (await import('../governance/DashboardPage.tsx')).DashboardPage },
  // the authority's ledger, audit trail and classification tree (web/src/features/ledger, audit, classifications)
  { path: 'ledger', group: 'oversight', label: 'ledger.menu', ability: 'getLedger', page: async () => (await import('../ledger/LedgerPage.tsx')).LedgerPage },
  { path: 'audit', group: 'oversight', label: 'audit.menu', ability: 'searchAudit', page: async () => (await import('../audit/AuditPage.tsx')).AuditPage },
  { path: 'classifications', group: 'oversight', label: 'classifications.menu', ability: 'createClassification', page: async () => (await import('../classifications/ClassificationsPage.tsx')).ClassificationsPage },
  {
    // the providing officer answers here; a developer sees their own applications (the list is scoped by the server)
    path: 'open-applications',
    group: 'open',
    label: 'openApps.console',
    ability: 'listOpenApplications',
    page: async () => (await import('../open-applications/OpenApplicationsPage.tsx')).OpenApplicationsPage,
  },
  // 填报人员: the department's census lists and their forms (web/src/features/census/)
  { path: 'systems', group: 'census', label: 'census.systems', ability: 'listSystems', page: async () => (await import('../census/ListPage.tsx')).SystemsPage },
  { path: 'systems/new', group: 'census', label: 'census.new.system', ability: 'createSystem', hidden: true, page: async () => (await import('../census/EntryPage.tsx')).SystemEntryPage },
  { path: 'systems/:id', group: 'census', label: 'census.systems', ability: 'getSystem', hidden: true, page: async () => (await import('../census/EntryPage.tsx')).SystemEntryPage },
  { path: 'resources', group: 'census', label: 'census.resources', ability: 'createResource', page: async () => (await import('../census/ListPage.tsx')).ResourcesPage },
  { path: 'resources/new', group: 'census', label: 'census.new.resource', ability: 'createResource', hidden: true, page: async () => (await import('../census/EntryPage.tsx')).ResourceEntryPage },
  { path: 'resources/:id', group: 'census', label: 'census.resources', ability: 'getResourceHistory', hidden: true, page: async () => (await import('../census/EntryPage.tsx')).ResourceEntryPage },
  { path: 'demands', group: 'census', label: 'census.demands', ability: 'listDemands', page: async () => (await import('../census/ListPage.tsx')).DemandsPage },
  { path: 'demands/new', group: 'census', label: 'census.new.demand', ability: 'createDemand', hidden: true, page: async () => (await import('../census/EntryPage.tsx')).DemandEntryPage },
  { path: 'demands/:id', group: 'census', label: 'census.demands', ability: 'getDemand', hidden: true, page: async () => (await import('../census/EntryPage.tsx')).DemandEntryPage },
];
