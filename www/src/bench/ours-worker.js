// The package in a worker, as the page uses it: initialised once, then
// validateBytes on each record posted; answers with the call's own time.
import init, { validateBytes } from 'tulorekisteri';

const ready = init();

self.onmessage = async ({ data }) => {
  const started = performance.now();
  await ready;
  const initMs = performance.now() - started;
  const t0 = performance.now();
  const problems = validateBytes(data.bytes, data.options);
  const ms = performance.now() - t0;
  self.postMessage({ ms, initMs, problems: problems.length, first: problems[0] ?? null });
};
