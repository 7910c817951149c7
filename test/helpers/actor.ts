/** The actor of test fixtures' commands. */
export const TEST_ACTOR = { kind: 'system' as const, label: 'system:test' };
