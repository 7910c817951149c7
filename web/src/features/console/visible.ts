import { may, type Me } from '../session/api.ts';
import { SECTIONS, type ConsoleSection } from './sections.tsx';

/** The console pages this person may use, by the abilities the API gave. */
export function visibleSections(me: Me): ConsoleSection[] {
  return SECTIONS.filter((s) => s.ability === null || may(me, s.ability));
}
