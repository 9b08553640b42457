import fc from 'fast-check';

/**
 * Every property-based test runs from one fixed seed, so CI is reproducible and a failure found once
 * is found again. FUZZ_SEED=<n> explores another part of the space; FUZZ_SEED=random draws one per run
 * (fast-check prints it on failure).
 */
const raw = process.env.FUZZ_SEED ?? '20261124';
if (raw !== 'random') fc.configureGlobal({ seed: Number(raw) });
