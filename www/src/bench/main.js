// window.bench, for the speed test: time one validation by the package and
// by xmllint-wasm, each in its own worker, from the main thread's side.
import { validateXML, memoryPages } from 'xmllint-wasm';

function ask(worker, message) {
  return new Promise((resolve, reject) => {
    worker.onmessage = ({ data }) => resolve(data);
    worker.onerror = (e) => reject(new Error(e.message));
    worker.postMessage(message);
  });
}

async function bytesOf(url) {
  const answer = await fetch(url);
  if (!answer.ok) throw new Error(`${url}: ${answer.status}`);
  return new Uint8Array(await answer.arrayBuffer());
}

let warm;

window.bench = {
  bytesOf,
  /**
   * The package: `cold` starts a new worker (start-up and wasm compilation
   * counted, as xmllint-wasm always does); otherwise the worker made by the
   * first call is reused, as the page does. Resolves to { roundTripMs, ms, problems }.
   */
  async ours(url, { cold = false } = {}) {
    const bytes = await bytesOf(url);
    const started = performance.now();
    const worker = cold || !warm ? new Worker(new URL('./ours-worker.js', import.meta.url), { type: 'module' }) : warm;
    const answer = await ask(worker, { bytes, options: { unsigned: true, schemaOnly: true } });
    const roundTripMs = performance.now() - started;
    if (cold) worker.terminate();
    else warm = worker;
    return { roundTripMs, ms: answer.ms, problems: answer.problems, first: answer.first };
  },
  /** xmllint-wasm with the official XSDs (its own worker per call). */
  async xmllint(url, schemaBase, main, preloadNames) {
    const bytes = await bytesOf(url);
    const text = (b) => new TextDecoder().decode(b);
    const schema = [{ fileName: main, contents: text(await bytesOf(schemaBase + main)) }];
    const preload = [];
    for (const name of preloadNames) preload.push({ fileName: name, contents: text(await bytesOf(schemaBase + name)) });
    const xml = [{ fileName: 'record.xml', contents: text(bytes) }];
    const started = performance.now();
    const result = await validateXML({
      xml, schema, preload, initialMemoryPages: 256, maxMemoryPages: 2 * memoryPages.GiB,
    });
    return { roundTripMs: performance.now() - started, valid: result.valid, errors: result.errors.slice(0, 3) };
  },
};
document.body.dataset.ready = 'true';
