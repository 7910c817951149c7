/**
 * Polls `done` until it holds or `limitMs` passes; whether it held. Tests wait for the event they
 * expect rather than sleeping a fixed time or asserting a wall-clock bound a busy machine can miss.
 */
export async function eventually(done: () => boolean | Promise<boolean>, limitMs = 10_000): Promise<boolean> {
  for (const end = Date.now() + limitMs; Date.now() < end; await new Promise((r) => setTimeout(r, 10))) if (await done()) return true;
  return done();
}
