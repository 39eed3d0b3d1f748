#!/usr/bin/env bash
# Installs the Debian packages of the tools the tests drive for real, by name:
#   chromium  the report page in a browser (test/report/browser.test.ts)
#   latex     pdfLaTeX and pdftotext: the report's tables and figures in a paper (test/report/latex.test.ts)
#   fonts     the DejaVu fonts the figures are drawn in
# Idempotent: installs only the packages that are missing. Needs root and apt-get.
set -euo pipefail

packages=()
for tool in "$@"; do
  case $tool in
    chromium) packages+=(chromium) ;;
    latex) packages+=(texlive-latex-base texlive-latex-recommended poppler-utils) ;;
    fonts) packages+=(fonts-dejavu-core) ;;
    *) echo "install.sh: unknown tool \"$tool\"; give chromium, latex or fonts" >&2; exit 2 ;;
  esac
done

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ "${#missing[@]}" -eq 0 ]; then
  echo "system: already installed (${packages[*]})"
  exit 0
fi
if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null 2>&1; then
  echo "system: installing ${missing[*]} needs root and apt-get (running as uid $(id -u)); install them yourself" >&2
  exit 1
fi
# One install at a time: test files run in parallel, and apt's own locks refuse a second apt-get.
if command -v flock >/dev/null 2>&1; then exec 9>/tmp/harness-apt.lock && flock -w 900 9; fi
export DEBIAN_FRONTEND=noninteractive
apt-get -o DPkg::Lock::Timeout=600 update -qq
apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "system: installed ${missing[*]}"
