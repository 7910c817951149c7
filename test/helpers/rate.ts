import { setTimeout as sleep } from 'node:timers/promises';

/**
 * Rate limits count in fixed windows that end on multiples of their length (epoch seconds). A
 * test that makes N calls and expects call N+1 refused would see a fresh count if a window ended
 * in between: start at least `margin` seconds before the end of one.
 */
export async function clearOfWindowEnd(windowSeconds: number, margin: number): Promise<void> {
  const left = windowSeconds - ((Date.now() / 1000) % windowSeconds);
  if (left < margin) await sleep((left + 1) * 1000);
}
