// The validator's worker: the package's validate/validateBytes run here, so
// the page stays responsive. One job at a time; the page cancels a job by
// terminating this worker and starting a new one.
import init, { validate, validateBytes } from 'tulorekisteri';

let ready = null;

// Progress messages at most this often: a 120 MB record has ~1,900 chunks.
const PROGRESS_EVERY_MS = 50;

/** Offsets of every LINE_STEP-th line start (line 1, 1+STEP, ...), for the large-file excerpts. */
const LINE_STEP = 256;

function lineIndex(bytes) {
  const starts = [0];
  let line = 1;
  for (let i = bytes.indexOf(10); i !== -1; i = bytes.indexOf(10, i + 1)) {
    line += 1;
    if ((line - 1) % LINE_STEP === 0) starts.push(i + 1);
  }
  return { step: LINE_STEP, starts, lines: line };
}

self.onmessage = async ({ data }) => {
  const { id } = data;
  try {
    if (data.type === 'init') {
      ready = init({ module_or_path: data.module });
      await ready;
      return;
    }
    if (!ready) ready = init();
    await ready;
    let last = 0;
    const onProgress = (done, total) => {
      const now = performance.now();
      if (now - last < PROGRESS_EVERY_MS && done < total) return;
      last = now;
      self.postMessage({ type: 'progress', id, done, total });
    };
    let problems;
    let workerMs;
    let lines = null;
    let bytes = 0;
    if (data.file) {
      // The file's bytes are read here, never on the page's thread.
      const buffer = new Uint8Array(await data.file.arrayBuffer());
      bytes = buffer.length;
      const t0 = performance.now();
      problems = validateBytes(buffer, data.options, onProgress);
      workerMs = performance.now() - t0;
      lines = lineIndex(buffer);
    } else {
      bytes = data.xml.length;
      const t0 = performance.now();
      problems = validate(data.xml, data.options, onProgress);
      workerMs = performance.now() - t0;
    }
    self.postMessage({ type: 'result', id, problems, workerMs, bytes, lines });
  } catch (e) {
    self.postMessage({ type: 'error', id, message: String(e?.message ?? e) });
  }
};
