import { useState } from 'react';

/**
 * Keyset paging of a console list kept in the page's state: the cursors that led to the page shown,
 * so "previous" goes back one; any change of the list's filters starts again at the first page.
 */
export function usePaging(filtersKey: string) {
  const [state, setState] = useState<{ key: string; trail: string[] }>({ key: filtersKey, trail: [] });
  const trail = state.key === filtersKey ? state.trail : [];
  return {
    cursor: trail.at(-1),
    page: trail.length + 1,
    hasPrev: trail.length > 0,
    onPrev: () => setState({ key: filtersKey, trail: trail.slice(0, -1) }),
    onNext: (next: string) => setState({ key: filtersKey, trail: [...trail, next] }),
  };
}
