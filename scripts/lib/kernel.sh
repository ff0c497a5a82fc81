# shellcheck shell=bash
# Shared helpers for scripts/nested-run and scripts/guest-image.
# Sourced, not executed. Callers use `set -euo pipefail` and define PROG.

JVMM_CACHE="${JVMM_CACHE:-${HOME:-/root}/.cache/jvmm}"
# as root, apt-get download into a private dir would warn about its _apt sandbox
APT_SANDBOX_OPT=""
if [ "$(id -u)" = 0 ]; then APT_SANDBOX_OPT="-o APT::Sandbox::User=root"; fi

die()  { echo "${PROG:-jvmm}: error: $*" >&2; exit 1; }
warn() { echo "${PROG:-jvmm}: warning: $*" >&2; }
note() { echo "${PROG:-jvmm}: $*" >&2; }

# need_cmd CMD... : as root, runs scripts/setup-host once when a command is
# missing; otherwise fails with a clear message.
need_cmd() {
    local c missing=()
    for c in "$@"; do command -v "$c" >/dev/null 2>&1 || missing+=("$c"); done
    [ ${#missing[@]} -eq 0 ] && return 0
    if [ "$(id -u)" = 0 ] && [ -x "$(dirname "${BASH_SOURCE[0]}")/../setup-host" ] && [ -z "${_JVMM_SETUP_RAN:-}" ]; then
        note "missing command(s): ${missing[*]}; running scripts/setup-host"
        _JVMM_SETUP_RAN=1
        "$(dirname "${BASH_SOURCE[0]}")/../setup-host" || die "scripts/setup-host failed"
        need_cmd "$@"
        return
    fi
    die "missing command(s): ${missing[*]} (run scripts/setup-host first)"
}

# remove leftovers of interrupted builds (older than an hour) in DIR
clean_stale_tmp() {
    [ -d "$1" ] || return 0
    find "$1" -mindepth 1 -maxdepth 1 \( -name '.tmp.*' -o -name '*.new.*' \) -mmin +60 \
        -exec rm -rf {} + 2>/dev/null || true
}

# Run "$@" while holding an exclusive lock on the cache, so that two
# concurrent runs do not build the same entry at the same time.
with_cache_lock() {
    mkdir -p "$JVMM_CACHE"
    (
        flock -w 1800 9 || die "timed out waiting for the cache lock $JVMM_CACHE/.lock"
        "$@"
    ) 9>"$JVMM_CACHE/.lock"
}

_apt_updated=0
# resolve_kernel META -> prints "PKG VERSION" for the kernel image package that
# the Debian meta package META (linux-image-amd64, linux-image-cloud-amd64)
# currently depends on. Falls back to the last resolution recorded in the
# cache when apt knows nothing (e.g. no package lists and no network).
# apt-cache is slow (~1 s a call without its binary cache), so a resolution
# is reused while the apt package lists are unchanged.
apt_lists_stamp() {
    stat -c '%n %Y %s' /var/lib/apt/lists/*_Packages* 2>/dev/null | short_hash
}
resolve_kernel() {
    local meta="$1" pkg="" ver="" try stamp last
    last="$JVMM_CACHE/kernels/$meta.last"
    stamp="$(apt_lists_stamp)"
    if [ -s "$last" ] && [ "$(sed -n 2p "$last")" = "$stamp" ]; then
        head -n1 "$last"
        return 0
    fi
    for try in 1 2; do
        pkg=$(apt-cache depends --no-recommends --no-suggests --no-conflicts \
                --no-breaks --no-replaces --no-enhances "$meta" 2>/dev/null \
              | awk '/Depends: linux-image-[0-9]/ {print $2; exit}') || true
        if [ -n "$pkg" ]; then
            ver=$(apt-cache show --no-all-versions "$pkg" 2>/dev/null \
                  | awk '/^Version:/ {print $2; exit}') || true
        fi
        [ -n "$pkg" ] && [ -n "$ver" ] && break
        if [ "$try" = 1 ] && [ "$_apt_updated" = 0 ] && [ "$(id -u)" = 0 ]; then
            note "apt does not know $meta; running apt-get update once"
            _apt_updated=1
            apt-get update -qq >&2 || warn "apt-get update failed"
        else
            break
        fi
    done
    if [ -n "$pkg" ] && [ -n "$ver" ]; then
        mkdir -p "$JVMM_CACHE/kernels"
        printf '%s %s\n%s\n' "$pkg" "$ver" "$(apt_lists_stamp)" >"$JVMM_CACHE/kernels/$meta.last.tmp.$$"
        mv -f "$JVMM_CACHE/kernels/$meta.last.tmp.$$" "$JVMM_CACHE/kernels/$meta.last"
        printf '%s %s\n' "$pkg" "$ver"
        return 0
    fi
    if [ -s "$JVMM_CACHE/kernels/$meta.last" ]; then
        warn "cannot resolve $meta with apt; using the cached $(head -n1 "$last")"
        head -n1 "$last"
        return 0
    fi
    die "cannot find the kernel package behind $meta (apt-cache depends $meta gave nothing; is a Debian mirror reachable?)"
}

# kernel_key PKG VERSION -> a file-name-safe cache key
kernel_key() { printf '%s_%s' "$1" "$2" | tr -c 'A-Za-z0-9._+-' '_'; }

_extract_kernel() {
    local pkg="$1" ver="$2" dest="$3" tmp deb kver
    [ -s "$dest/KVER" ] && return 0
    clean_stale_tmp "$JVMM_CACHE/kernels"
    tmp=$(mktemp -d "$JVMM_CACHE/kernels/.tmp.XXXXXX")
    note "downloading $pkg $ver (once; cached in $dest)"
    if ! (cd "$tmp" && apt-get download -qq ${APT_SANDBOX_OPT:-} "$pkg=$ver" >&2); then
        rm -rf "$tmp"
        die "apt-get download $pkg=$ver failed"
    fi
    deb=$(ls "$tmp"/*.deb)
    mkdir "$tmp/tree"
    dpkg-deb -x "$deb" "$tmp/tree" || { rm -rf "$tmp"; die "dpkg-deb -x $deb failed"; }
    rm -f "$deb"
    # merged-/usr packages put modules under usr/lib/modules
    if [ ! -d "$tmp/tree/lib/modules" ] && [ -d "$tmp/tree/usr/lib/modules" ]; then
        mkdir -p "$tmp/tree/lib" && ln -s ../usr/lib/modules "$tmp/tree/lib/modules"
    fi
    kver=$(ls "$tmp/tree/lib/modules" | head -n1)
    [ -n "$kver" ] || { rm -rf "$tmp"; die "$pkg has no lib/modules/<version>"; }
    ls "$tmp/tree/boot/vmlinuz-$kver" >/dev/null 2>&1 || { rm -rf "$tmp"; die "$pkg has no boot/vmlinuz-$kver"; }
    # modules.dep etc. (the package leaves this to its postinst)
    depmod -b "$tmp/tree" "$kver" 2>/dev/null || warn "depmod -b failed for $kver (modprobe -d will not work)"
    printf '%s\n' "$kver" >"$tmp/tree/KVER"
    mv "$tmp/tree" "$dest.new.$$"
    rm -rf "$tmp"
    mv -T "$dest.new.$$" "$dest" 2>/dev/null || rm -rf "$dest.new.$$"   # lost a race: keep the winner
}

# ensure_kernel PKG VERSION -> prints the extracted package tree (cached):
#   TREE/boot/vmlinuz-KVER, TREE/lib/modules/KVER/..., TREE/KVER
ensure_kernel() {
    local pkg="$1" ver="$2" dest
    mkdir -p "$JVMM_CACHE/kernels"
    dest="$JVMM_CACHE/kernels/$(kernel_key "$pkg" "$ver")"
    if [ ! -s "$dest/KVER" ]; then
        with_cache_lock _extract_kernel "$pkg" "$ver" "$dest"
    fi
    [ -s "$dest/KVER" ] || die "kernel tree $dest is incomplete"
    printf '%s\n' "$dest"
}

# find_module TREE KVER NAME -> path of NAME.ko (NAME may use - or _), or nothing
find_module() {
    local tree="$1" kver="$2" name="$3" a b
    a=${name//-/_}; b=${name//_/-}
    find "$tree/lib/modules/$kver/kernel" \( -name "$a.ko" -o -name "$b.ko" \
        -o -name "$a.ko.xz" -o -name "$b.ko.xz" -o -name "$a.ko.zst" -o -name "$b.ko.zst" \) \
        -print -quit 2>/dev/null
}

# module_order TREE KVER NAME... -> prints "name path" lines in load order
# (dependencies first, via modinfo -F depends), each module once. Names
# that are not modules (built in or absent) are reported on stderr as
# "missing NAME" and skipped.
module_order() {
    local tree="$1" kver="$2"; shift 2
    declare -A _seen=()
    _mo_visit() {
        local n="${1//-/_}" p d
        [ -n "${_seen[$n]:-}" ] && return 0
        _seen[$n]=1
        p=$(find_module "$tree" "$kver" "$n")
        if [ -z "$p" ]; then
            if grep -qE "/${n}\.ko|/${n//_/-}\.ko" "$tree/lib/modules/$kver/modules.builtin" 2>/dev/null; then
                return 0          # built into the kernel
            fi
            echo "missing $1" >&2
            return 0
        fi
        for d in $(modinfo -F depends "$p" 2>/dev/null | tr ',' ' '); do
            _mo_visit "$d"
        done
        printf '%s %s\n' "$n" "$p"
    }
    local m
    for m in "$@"; do _mo_visit "$m"; done
}

# copy_module SRC DESTDIR -> copies a module, decompressing .xz/.zst so that
# busybox insmod can load it; prints the destination path
copy_module() {
    local src="$1" dst="$2" base
    base=$(basename "$src")
    mkdir -p "$dst"
    case "$base" in
        *.ko.xz)  xz -dc "$src"   >"$dst/${base%.xz}";  echo "$dst/${base%.xz}" ;;
        *.ko.zst) zstd -dcq "$src" >"$dst/${base%.zst}"; echo "$dst/${base%.zst}" ;;
        *)        cp "$src" "$dst/$base"; echo "$dst/$base" ;;
    esac
}

# busybox_tree DIR -> installs /bin/busybox (static) and applet symlinks in DIR
busybox_tree() {
    local dir="$1" bb a
    bb=$(command -v busybox) || die "busybox not found (run scripts/setup-host)"
    file -L "$bb" | grep -q 'statically linked' || die "$bb is not static: install busybox-static (scripts/setup-host)"
    mkdir -p "$dir/bin" "$dir/sbin" "$dir/usr/bin" "$dir/usr/sbin"
    cp "$bb" "$dir/bin/busybox"
    for a in $("$bb" --list-full); do
        [ -e "$dir/$a" ] || [ -L "$dir/$a" ] || ln -s /bin/busybox "$dir/$a"
    done
}

# make_cpio DIR OUT.gz -> a gzip'd newc cpio of DIR (owned by root), atomically
make_cpio() {
    local dir="$1" out="$2"
    (cd "$dir" && find . -mindepth 1 | LC_ALL=C sort \
        | cpio -o -H newc -R 0:0 --reproducible --quiet) | gzip -n -6 >"$out.tmp.$$"
    mv -f "$out.tmp.$$" "$out"
}

# content hash of stdin (short)
short_hash() { sha256sum | cut -c1-12; }
