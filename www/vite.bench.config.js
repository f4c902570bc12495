// The speed page (bench.html): the package and xmllint-wasm, each in a Web
// Worker, on one page for the browser tests' measurements (tests/speed.test.mjs).
// Built apart (dist-bench/) so the page's own dist/ holds only the page.
import { defineConfig, mergeConfig } from 'vite';
import page from './vite.config.js';

export default mergeConfig(page, defineConfig({
  build: { outDir: 'dist-bench', rollupOptions: { input: { bench: 'bench.html' } } },
}));
