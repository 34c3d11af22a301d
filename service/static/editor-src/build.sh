#!/usr/bin/env bash
# Rebuild ../vendor/rarekg-editor.js from editor.mjs and the exact versions in package-lock.json.
# Needs Node.js and npm; the built file is committed, so serving needs neither.
set -euo pipefail
cd "$(dirname "$0")"
npm ci --silent --no-audit --no-fund
npx esbuild editor.mjs --bundle --minify --format=iife --target=es2019 \
    --legal-comments=eof --outfile=../vendor/rarekg-editor.js
