import type { ComponentType } from 'react';
import type { MessageKey } from '../../i18n/messages.ts';

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
  /** Pages that are reached from another page (a detail, a form), not listed in the menu. */
  hidden?: true;
  page: () => Promise<ComponentType>;
}

/** Every console page. A feature adds its pages here; each is loaded only when visited. */
export const SECTIONS: readonly ConsoleSection[] = [
  {
    // the providing officer answers here; a developer sees their own applications (the list is scoped by the server)
    path: 'open-applications',
    group: 'open',
    label: 'openApps.console',
    ability: 'listOpenApplications',
    page: async () => (await import('../open-applications/OpenApplicationsPage.tsx')).OpenApplicationsPage,
  },
];
