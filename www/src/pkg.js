// The package on the main thread: initialised once; the form builds and
// parses here, the feedback view reads here. Validation runs in workers
// (validate/worker.js), which get the module compiled here.
import init, { build, parse, readFeedback, schema, validate } from 'tulorekisteri';
import wasmUrl from 'tulorekisteri/tulorekisteri_bg.wasm?url';

async function compile() {
  const answer = await fetch(wasmUrl);
  if (!answer.ok) throw new Error(`${wasmUrl}: HTTP ${answer.status}`);
  // compileStreaming needs the application/wasm type, which not every static server sends.
  if (WebAssembly.compileStreaming && answer.headers.get('content-type')?.startsWith('application/wasm')) {
    return WebAssembly.compileStreaming(answer);
  }
  return WebAssembly.compile(await answer.arrayBuffer());
}

/** The compiled wasm module (shared with the validator's workers). */
export const wasmModule = compile();

/** Resolves when the package can be called on this thread. */
export const ready = wasmModule.then((module) => init({ module_or_path: module }));

export { build, parse, readFeedback, schema, validate };
