import { may, mayReach, type Me } from '../session/api.ts';
import { GROUPS, SECTIONS, type ConsoleGroup, type ConsoleSection } from './sections.tsx';

/** The console pages this person may use, by the abilities the API gave. */
export function visibleSections(me: Me): ConsoleSection[] {
  return SECTIONS.filter((s) => mayOpen(me, s));
}

/** Whether the person may open a page: its ability, with the reach it needs. */
export function mayOpen(me: Me | null | undefined, s: Pick<ConsoleSection, 'ability' | 'reach'>): boolean {
  if (s.ability === null) return true;
  return s.reach ? mayReach(me, s.ability, s.reach) : may(me, s.ability);
}

/** The pages of the menu (not the hidden ones) under their groups, in the order of GROUPS; empty groups left out. The menu and the overview both read this, so they cannot differ. */
export function menuGroups(me: Me): { group: ConsoleGroup; sections: ConsoleSection[] }[] {
  const sections = visibleSections(me).filter((s) => !s.hidden);
  return GROUPS.map((group) => ({ group, sections: sections.filter((s) => s.group === group) })).filter((g) => g.sections.length > 0);
}
