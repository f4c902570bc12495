#!/usr/bin/env bash
# The browser page: builds the npm package (pkg/, scripts/wasm.sh) and the
# page (www/dist, Vite), then serves it on http://127.0.0.1:${PORT:-8000}.
#   bash scripts/www.sh          build and serve
#   bash scripts/www.sh build    build only (www/dist: plain files for any static server)
#   bash scripts/www.sh test     build, then the browser tests (Debian's Chromium, playwright-core)
# PKG_BUILT=1 skips the package's build (scripts/test.sh has just built it);
# BEFORE_SERVE runs a command between the build and serving (scripts/demo.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
what=${1:-serve}
case "$what" in serve | build | test) ;; *) echo "usage: bash scripts/www.sh [serve|build|test]" >&2; exit 2 ;; esac

# Vite 8 needs Node.js 20.19 or later (Debian 12's own nodejs is 18).
if ! node -e 'const [a, b] = process.versions.node.split(".").map(Number); process.exit(a > 20 || (a === 20 && b >= 19) ? 0 : 1)' 2>/dev/null; then
    echo "scripts/www.sh: the page is built with Vite 8, which needs Node.js 20.19 or later and npm; found: $(node --version 2>/dev/null || echo 'no node')" >&2
    exit 1
fi
if [ "$what" = test ] && [ ! -x /usr/bin/chromium ]; then
    sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    $sudo apt-get update -qq
    $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium
fi
[ -n "${PKG_BUILT:-}" ] || bash scripts/wasm.sh
cd www
# npm ci starts from nothing each time: run it only when the lock is newer.
if [ ! package-lock.json -ot node_modules/.package-lock.json ]; then
    npm ci --no-audit --no-fund --loglevel=error
fi
npx vite build --logLevel warn
echo "www/dist: $(du -sh dist | cut -f1) (the page, its workers and the package's wasm)"
case "$what" in
    build) ;;
    test)
        npx vite build --logLevel warn --config vite.bench.config.js
        node --test --test-concurrency=1 tests/
        ;;
    serve)
        [ -z "${BEFORE_SERVE:-}" ] || bash -c "$BEFORE_SERVE"
        echo "serving the page on http://127.0.0.1:${PORT:-8000}/ (Ctrl-C stops)"
        exec npx vite preview --host 127.0.0.1 --port "${PORT:-8000}" --strictPort --logLevel warn
        ;;
esac
