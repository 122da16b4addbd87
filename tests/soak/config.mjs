// What a soak run is asked to do, from the environment.
import { newSeed } from './random.mjs';

const BROWSERS = ['chromium', 'firefox'];

export function readConfig(env = process.env) {
  const minutes = Number(env.SOAK_MINUTES ?? 10);
  if (!(minutes > 0 && minutes <= 24 * 60)) throw new Error(`SOAK_MINUTES must be a number of minutes, 0 < m <= 1440 (got ${env.SOAK_MINUTES})`);
  const seed = env.SOAK_SEED === undefined || env.SOAK_SEED === '' ? newSeed() : Number(env.SOAK_SEED);
  if (!Number.isSafeInteger(seed) || seed < 0) throw new Error(`SOAK_SEED must be a non-negative integer (got ${env.SOAK_SEED})`);
  const browsers = (env.SOAK_BROWSERS || 'chromium').split(',').map((b) => b.trim()).filter(Boolean);
  for (const b of browsers) if (!BROWSERS.includes(b)) throw new Error(`SOAK_BROWSERS: unknown browser ${b} (known: ${BROWSERS.join(', ')})`);
  if (!browsers.includes('chromium')) throw new Error('SOAK_BROWSERS must include chromium: it carries the faults only Chromium can inject');
  return {
    minutes,
    seed,
    browsers,
    /** SOAK_FAULTS: draw only these kinds (a developer's knob to work on one fault; empty: all). */
    faults: (env.SOAK_FAULTS ?? '').split(',').map((f) => f.trim()).filter(Boolean),
    /** Where SOAK.md goes; a run that must not replace the committed one sets another path. */
    report: env.SOAK_REPORT ?? 'SOAK.md',
    base: (env.TWIN_SANDBOX_URL ?? '').replace(/\/+$/, ''),
  };
}
