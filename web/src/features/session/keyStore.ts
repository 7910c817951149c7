/**
 * Secrets of developer keys made in this browser tab, so the dataset page's snippets can carry a
 * real key. The API shows a secret once and keeps only its hash; the page keeps it in
 * sessionStorage (this tab only, gone when the tab closes, dropped at sign-out), never in
 * localStorage. The CSP allows no inline or foreign script that could read it.
 */
const STORE = 'odx.devKeys';

function read(): Record<string, string> {
  try {
    return JSON.parse(sessionStorage.getItem(STORE) ?? '{}') as Record<string, string>;
  } catch {
    return {};
  }
}

export function rememberKey(id: number, secret: string): void {
  sessionStorage.setItem(STORE, JSON.stringify({ ...read(), [id]: secret }));
}

export function rememberedKey(id: number): string | null {
  return read()[id] ?? null;
}

export function forgetKey(id: number): void {
  const all = read();
  delete all[id];
  sessionStorage.setItem(STORE, JSON.stringify(all));
}

export function forgetKeys(): void {
  sessionStorage.removeItem(STORE);
}
