// Runs validations in a worker, one at a time. A new job supersedes the one
// running (its result would be stale anyway): the worker is terminated and a
// fresh one started, which is also how Cancel works. The wasm is compiled
// once and handed to every new worker, so a restart costs little.
import { wasmModule } from '../pkg.js';

function spawn() {
  const worker = new Worker(new URL('./worker.js', import.meta.url), { type: 'module' });
  // The compiled module, if the page has it; else the worker fetches the wasm itself.
  wasmModule.then((module) => worker.postMessage({ type: 'init', module }), () => worker.postMessage({ type: 'init' }));
  return worker;
}

export class Runner {
  constructor() {
    this.worker = spawn();
    this.current = null; // { id, resolve, reject, onProgress }
    this.nextId = 1;
    this.listen();
  }

  listen() {
    this.worker.onmessage = ({ data }) => {
      const job = this.current;
      if (!job || data.id !== job.id) return;
      if (data.type === 'progress') {
        job.onProgress?.(data.done, data.total);
        return;
      }
      this.current = null;
      if (data.type === 'result') job.resolve(data);
      else job.reject(new Error(data.message));
    };
    this.worker.onerror = (e) => {
      e.preventDefault?.();
      const job = this.current;
      this.current = null;
      this.restart();
      job?.reject(new Error(e.message || 'the validator stopped'));
    };
  }

  restart() {
    this.worker.terminate();
    this.worker = spawn();
    this.listen();
  }

  get busy() {
    return this.current !== null;
  }

  /**
   * Validates `{xml}` or `{file}` with `options`; resolves to
   * `{problems, workerMs, bytes, lines}`, or to null when superseded or cancelled.
   */
  run(input, options, onProgress) {
    if (this.current) this.cancel();
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.current = { id, resolve, reject, onProgress };
      this.worker.postMessage({ id, options, ...input });
    });
  }

  /** Stops the running job, if any (it resolves to null). */
  cancel() {
    const job = this.current;
    if (!job) return false;
    this.current = null;
    this.restart();
    job.resolve(null);
    return true;
  }
}
