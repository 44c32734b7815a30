#!/usr/bin/env bash
# Debian packages the Qt window needs (the xcb display plugin and its fonts and
# GL libraries). Installs only what is missing; needs root (or sudo) when it does.
set -euo pipefail
packages=(
    libegl1 libgl1 libfontconfig1 fonts-dejavu-core libdbus-1-3
    libxkbcommon0 libxkbcommon-x11-0 libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1
)
command -v dpkg >/dev/null || { echo "not a Debian system: install Qt 6's xcb dependencies yourself"; exit 0; }
missing=()
for pkg in "${packages[@]}"; do
    dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
done
[ "${#missing[@]}" -eq 0 ] && exit 0
as_root=()
[ "$(id -u)" -eq 0 ] || as_root=(sudo)
echo "Installing ${missing[*]}"
"${as_root[@]}" apt-get update -q
DEBIAN_FRONTEND=noninteractive "${as_root[@]}" apt-get install -y -q "${missing[@]}"
