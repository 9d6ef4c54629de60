// Polling helpers shared by the E2E suite (run.mjs) and the app benchmark (perf.mjs).

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Poll `fn` until it returns something truthy; fail with `what` (and the last error) on timeout. */
export async function waitFor(fn, what, timeout = 20_000, every = 150) {
  const t0 = Date.now();
  let last;
  while (Date.now() - t0 < timeout) {
    try {
      last = await fn();
      if (last) return last;
    } catch (e) {
      last = e;
    }
    await sleep(every);
  }
  throw new Error(`timed out waiting for ${what}${last instanceof Error ? `: ${last.message}` : ""}`);
}
