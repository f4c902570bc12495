// Node entry of the package: the same module as in browsers, initialised at
// import time from the .wasm file beside it (Node's fetch cannot read files).
import { readFileSync } from 'node:fs';
import { initSync } from './tulorekisteri.js';

initSync({ module: readFileSync(new URL('./tulorekisteri_bg.wasm', import.meta.url)) });

export * from './tulorekisteri.js';
export { default } from './tulorekisteri.js';
