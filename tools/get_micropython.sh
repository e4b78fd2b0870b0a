#!/usr/bin/env bash
# Fetch MicroPython 1.25.0 source into $1 (default deps/micropython).
# Source of truth: Debian's source package `micropython` (trixie), fetched with a
# private sources list built from this machine's own apt mirror; only the
# upstream tarball is used and its checksum is verified. Falls back to a git
# clone of the upstream tag when apt cannot serve the package.
set -euo pipefail
dest=${1:-deps/micropython}
version=1.25.0
tarball=micropython_${version}+ds.orig.tar.xz
sha256=7b25be99a502f070b2de81dafc08da7051d992325d6e67daa9045a918fffdbea

if [ -f "$dest/py/mpconfig.h" ]; then
    exit 0
fi
work=$(dirname "$dest")/.mpsrc
mkdir -p "$work/lists/partial" "$work/cache/archives/partial" "$work/dl"
work=$(cd "$work" && pwd)

mirror_uri() {
    # deb822 sources first, then one-line sources.list entries.
    local f uri
    for f in /etc/apt/sources.list.d/*.sources; do
        [ -f "$f" ] || continue
        uri=$(awk '/^URIs:/ {print $2; exit}' "$f")
        case "$uri" in *debian*) echo "$uri"; return 0;; esac
    done
    for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
        [ -f "$f" ] || continue
        uri=$(awk '$1 == "deb" && $0 ~ /debian/ && $0 !~ /security/ {for (i = 2; i <= NF; i++) if ($i ~ /^[a-z]+:\/\//) {print $i; exit}}' "$f")
        [ -n "$uri" ] && { echo "$uri"; return 0; }
    done
    return 1
}

fetch_apt() {
    local uri
    uri=$(mirror_uri) || return 1
    echo "deb-src $uri trixie main" > "$work/sources.list"
    local opts=(-o "Dir::Etc::sourcelist=$work/sources.list" -o Dir::Etc::sourceparts=-
                -o "Dir::State::Lists=$work/lists" -o "Dir::Cache=$work/cache"
                -o APT::Get::List-Cleanup=0 -o APT::Sandbox::User=root)
    apt-get "${opts[@]}" -q update >/dev/null || return 1
    (cd "$work/dl" && apt-get "${opts[@]}" -q source --download-only micropython >/dev/null) || return 1
    [ -f "$work/dl/$tarball" ] || return 1
    echo "$sha256  $work/dl/$tarball" | sha256sum -c --quiet - || { echo "checksum mismatch for $tarball" >&2; return 1; }
    rm -rf "$work/x" && mkdir -p "$work/x"
    tar -C "$work/x" -xf "$work/dl/$tarball"
    rm -rf "$dest" && mv "$work/x/micropython-$version" "$dest"
}

fetch_git() {
    echo "apt could not serve micropython $version; cloning the upstream tag" >&2
    rm -rf "$dest"
    git clone -q --depth 1 --branch "v$version" https://github.com/micropython/micropython.git "$dest"
}

fetch_apt || fetch_git
rm -rf "$work"
echo "MicroPython $version source in $dest"
