export * from './tulorekisteri.js';
export { default } from './tulorekisteri.js';
