import { may, mayReach, type Me } from '../session/api.ts';
import { SECTIONS, type ConsoleSection } from './sections.tsx';

/** The console pages this person may use, by the abilities the API gave. */
export function visibleSections(me: Me): ConsoleSection[] {
  return SECTIONS.filter((s) => mayOpen(me, s));
}

/** Whether the person may open a page: its ability, with the reach it needs. */
export function mayOpen(me: Me | null | undefined, s: Pick<ConsoleSection, 'ability' | 'reach'>): boolean {
  if (s.ability === null) return true;
  return s.reach ? mayReach(me, s.ability, s.reach) : may(me, s.ability);
}
