// Plain static files in dist/: relative paths (any folder of any static
// server), the wasm and the workers as files beside the page, nothing
// fetched from elsewhere.
import { defineConfig } from 'vite';

export default defineConfig({
  base: './',
  // The package finds its .wasm with new URL(..., import.meta.url):
  // pre-bundling would lose it.
  optimizeDeps: { exclude: ['tulorekisteri'] },
  worker: { format: 'es' },
  build: {
    target: 'es2022',
    outDir: 'dist',
    emptyOutDir: true,
    assetsInlineLimit: 0,
  },
  server: { host: '127.0.0.1', fs: { allow: ['..'] } },
});
