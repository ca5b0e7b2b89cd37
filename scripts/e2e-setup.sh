#!/usr/bin/env bash
# Installs what the end-to-end tests need to run a real VS Code without internet access:
# code-server 4.100.3 (VS Code 1.100.3, the last release for Node 20) and Debian's Chromium.
# code-server goes into .code-server/ (gitignored), never into the extension's dependencies.
# Idempotent: a second call with everything in place returns at once.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PREFIX="${RESBUILDER_CODE_SERVER_PREFIX:-$ROOT/.code-server}"
VERSION=4.100.3
BIN="$PREFIX/node_modules/.bin/code-server"

have_packages() {
  command -v rg >/dev/null 2>&1 && command -v chromium >/dev/null 2>&1 \
    && dpkg -s libkrb5-dev >/dev/null 2>&1
}

if ! have_packages; then
  # code-server's native modules need krb5 headers to build; rg replaces the GitHub download.
  apt_install() {
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libkrb5-dev ripgrep chromium >/dev/null
  }
  if command -v flock >/dev/null 2>&1; then
    export -f apt_install
    flock /tmp/apt.lock bash -c apt_install
  else
    apt_install
  fi
fi

installed_version() {
  node -p "require('$PREFIX/node_modules/code-server/package.json').version" 2>/dev/null || true
}

# postinstall.sh of code-server installs VS Code's own modules and links node_modules.asar;
# without it the server starts but the workbench cannot load.
complete() {
  [ -x "$BIN" ] && [ "$(installed_version)" = "$VERSION" ] \
    && [ -e "$PREFIX/node_modules/code-server/lib/vscode/node_modules.asar" ]
}

if complete; then
  echo "code-server $VERSION is in $PREFIX"
  exit 0
fi

# @vscode/ripgrep looks for a cached archive before it goes to GitHub: hand it Debian's rg
# under every name the versions code-server may pull in will ask for.
TMP_DIR="$(node -p 'require("os").tmpdir()')"
for v in 1.15.11 1.15.12 1.15.13 1.15.14 1.16.0 1.16.1 1.17.0 1.18.0; do
  d="$TMP_DIR/vscode-ripgrep-cache-$v"
  mkdir -p "$d"
  f="$d/ripgrep-v13.0.0-10-x86_64-unknown-linux-musl.tar.gz"
  [ -f "$f" ] || tar czf "$f" -C "$(dirname "$(command -v rg)")" rg
done

mkdir -p "$PREFIX"
# A package.json of its own keeps npm from walking up into the extension's manifest. npm 11
# skips dependencies' install scripts unless allowed: code-server's postinstall (which runs a
# nested `npm install` of VS Code's modules, native ones included) and argon2 must run.
cat > "$PREFIX/package.json" <<'JSON'
{
  "name": "resbuilder-e2e-code-server",
  "private": true,
  "allowScripts": { "code-server": true, "argon2": true }
}
JSON
rm -rf "$PREFIX/node_modules/code-server"
(
  cd "$PREFIX"
  # The nested installs have no allowScripts of their own; this pinned, isolated install of
  # code-server is trusted as a whole (older npm versions ignore the setting).
  npm_config_dangerously_allow_all_scripts=true npm_config_unsafe_perm=true npm_config_yes=true \
    npm install --no-save --no-audit --no-fund "code-server@$VERSION"
)
complete || { echo "code-server's install did not complete (see the npm output above)" >&2; exit 1; }
echo "code-server $(installed_version) installed in $PREFIX"
