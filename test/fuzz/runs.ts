import fc from 'fast-check';

/**
 * The fuzz tests' budget: a bounded, seeded run in `npm test`; `npm run fuzz` raises the number
 * of runs (ODX_FUZZ_RUNS multiplies each test's count) and may take any seed (ODX_FUZZ_SEED). A
 * failure prints its seed and path, so `ODX_FUZZ_SEED=… npm run fuzz` replays it.
 */
export function fuzz(runs: number): fc.Parameters<unknown> {
  const scale = Number(process.env.ODX_FUZZ_RUNS ?? 1);
  const seed = process.env.ODX_FUZZ_SEED !== undefined ? Number(process.env.ODX_FUZZ_SEED) : 20261207;
  return { numRuns: Math.max(1, Math.round(runs * scale)), seed, endOnFailure: true };
}

/** Text with the bytes that break things: NUL, quotes, separators, brackets, percent signs, CJK, surrogates. */
export const nasty = fc.oneof(
  fc.string({ maxLength: 30 }),
  fc.string({ unit: fc.constantFrom('\0', '%', '%00', '[', ']', '=', '&', ',', '"', "'", '\\', '\n', '\r', '\t', ' ', '-', '+', ':', '*', '(', ')', '统', '𠮷', '\ud800', 'a', '1', '.', 'e', '9'), maxLength: 30 }),
  fc.constantFrom('', '9'.repeat(85), '-0', '1e400', 'NaN', 'Infinity', 'true', '2024-02-30', '2024-13-01', '99999-01-01', '1970-01-01T00:00:00Z', '(1,2)', '__proto__', 'constructor'),
);
