/** Every element passes `test`, and there is at least one: `.every` alone passes on an empty list. */
export function everyOf<T>(items: readonly T[], test: (item: T) => boolean): boolean {
  return items.length > 0 && items.every(test);
}
