// Memory of the operator's tabs, sampled at quiet points (after a fault has
// healed and the tabs settled): the JS heap after a full garbage collection
// (Chromium, through CDP) and the wasm memories of both entries, summed over
// the live tabs of each browser (always 3 at a quiet point).
//
// Flat means: the mean of the last third of the run's samples is within 10%
// of the mean of the first third.

export const FLAT_LIMIT = 1.10;

export async function sample(groups) {
  const at = Date.now();
  const out = { at };
  for (const g of groups) {
    let wasm = 0;
    let heap = g.browser.measuresHeap ? 0 : null;
    for (const tab of g.reachable) {
      wasm += (await tab.handle.call('memory')).wasm;
      if (heap !== null) heap += await tab.handle.heap();
    }
    out[g.browser.name] = { wasm, heap, tabs: g.reachable.length };
  }
  return out;
}

const mean = (xs) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : null);

/**
 * The mean of each third of the run for every series ("chromium heap",
 * "chromium wasm", ...), and whether the last third stays within the limit.
 */
export function thirds(samples, startedAt, endedAt) {
  const span = endedAt - startedAt;
  const third = (s) => Math.min(2, Math.floor(((s.at - startedAt) / span) * 3));
  const series = [];
  for (const browser of Object.keys(samples[0] ?? {}).filter((k) => k !== 'at')) {
    for (const metric of ['heap', 'wasm']) {
      const values = [[], [], []];
      for (const s of samples) {
        const v = s[browser]?.[metric];
        if (typeof v === 'number') values[third(s)].push(v);
      }
      if (values.every((v) => v.length === 0)) continue;
      const means = values.map(mean);
      const ratio = means[0] && means[2] ? means[2] / means[0] : null;
      series.push({ name: `${browser} ${metric === 'heap' ? 'JS heap' : 'wasm memory'}`, means, counts: values.map((v) => v.length), ratio, flat: ratio !== null && ratio <= FLAT_LIMIT });
    }
  }
  return series;
}
