# shellcheck shell=bash
# Sourced by scripts/setup-host for --qemu-backports: QEMU from Debian's
# bookworm-backports, extracted (dpkg-deb -x) into the jvmm cache, never
# installed system-wide. Callers use `set -euo pipefail`.
#
# qemu_backports_dir -> prints the extracted tree ${JVMM_CACHE}/qemu/<version>
# (usr/bin/qemu-system-x86_64, usr/share/qemu, ...), made once. What goes in:
#   qemu-system-x86, qemu-system-common, qemu-system-data from bookworm-backports, and
#   every package their Depends name at a version this machine has not installed (the
#   backports qemu wants seabios >> 1.16.3-1~; bookworm has 1.16.2). Such a package comes
#   from bookworm-backports when that has a version that satisfies the dependency,
#   else from the default suites. scripts/nested-run finds the extras by itself:
#   DIR/usr/share/seabios by -L, shared libraries by LD_LIBRARY_PATH.
# The tree's JVMM-QEMU-INFO lists what was extracted (package, version, sha256).

QB_SUITE=bookworm-backports
QB_SOURCES=/etc/apt/sources.list.d/bookworm-backports.sources
QB_PKGS=(qemu-system-x86 qemu-system-common qemu-system-data)

_qb_die() { echo "setup-host: error: $*" >&2; exit 1; }
_qb_note() { echo "setup-host: $*" >&2; }

# the newest complete tree in the cache, or nothing
_qb_existing() {
    local root="$1" d best=""
    [ -d "$root" ] || return 0
    best="$(for d in "$root"/*/; do
                [ -e "$d/JVMM-QEMU-INFO" ] && [ -x "$d/usr/bin/qemu-system-x86_64" ] && basename "$d"
            done | sort -V | tail -n 1)"
    [ -n "$best" ] && printf '%s\n' "$root/$best"
    return 0
}

_qb_sources() {
    if grep -rqsE "^[^#]*\b$QB_SUITE\b" /etc/apt/sources.list /etc/apt/sources.list.d/*.list \
            /etc/apt/sources.list.d/*.sources; then
        return 0
    fi
    [ -r /usr/share/keyrings/debian-archive-keyring.gpg ] \
        || _qb_die "/usr/share/keyrings/debian-archive-keyring.gpg is missing (apt-get install debian-archive-keyring)"
    _qb_note "adding $QB_SUITE to apt's sources: $QB_SOURCES"
    cat >"$QB_SOURCES.tmp.$$" <<EOF
# added by jvmm scripts/setup-host --qemu-backports (QEMU for the nested test host's L1).
# Backports have apt priority 100: nothing is installed or upgraded from here unless asked.
Types: deb
URIs: http://deb.debian.org/debian
Suites: $QB_SUITE
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOF
    mv -f "$QB_SOURCES.tmp.$$" "$QB_SOURCES"
}

# apt-get update of the backports suite only when the default suites' lists are there
# (so that the kernels nested-run resolves do not move under anyone's feet), else of all.
_qb_apt_update() {
    local src
    if compgen -G '/var/lib/apt/lists/*_dists_bookworm_main_binary-amd64_Packages*' >/dev/null; then
        src="$(grep -lsE "^[^#]*\b$QB_SUITE\b" /etc/apt/sources.list.d/*.sources /etc/apt/sources.list.d/*.list | head -n 1 || true)"
        if [ -n "$src" ]; then
            _qb_note "apt-get update ($QB_SUITE only, from $src)"
            apt-get update -qq -o Dir::Etc::SourceList="$src" -o Dir::Etc::SourceParts=- \
                -o APT::Get::List-Cleanup=false >&2 && return 0
        fi
    fi
    _qb_note "apt-get update"
    apt-get update -qq >&2 || _qb_die "apt-get update failed (is deb.debian.org reachable?)"
}

# _qb_download DIR PKG[/SUITE][=VER] -> downloads into DIR, prints the .deb's path
_qb_download() {
    local dir="$1" spec="$2" before after
    before="$(ls "$dir"/*.deb 2>/dev/null | sort)"
    (cd "$dir" && apt-get download -qq -o APT::Sandbox::User=root "$spec" >&2) \
        || _qb_die "apt-get download $spec failed"
    after="$(ls "$dir"/*.deb 2>/dev/null | sort)"
    comm -13 <(printf '%s\n' "$before") <(printf '%s\n' "$after") | head -n 1
}

# _qb_satisfies VERSION OP WANTED -> true if VERSION OP WANTED (Debian relation syntax)
_qb_satisfies() {
    local op
    case "$2" in
        '>=') op=ge ;; '<=') op=le ;; '>>') op=gt ;; '<<') op=lt ;; '=') op=eq ;;
        *) return 1 ;;
    esac
    dpkg --compare-versions "$1" "$op" "$3"
}

# _qb_installed PKG -> the installed version, or nothing
_qb_installed() {
    dpkg-query -W -f='${Status} ${Version}\n' "$1" 2>/dev/null \
        | awk '$1 == "install" && $3 == "installed" {print $4; exit}'
}

# _qb_candidate PKG SUITE -> the version apt has in SUITE (or the default candidate when
# SUITE is empty), or nothing
_qb_candidate() {
    local pkg="$1" suite="$2"
    if [ -n "$suite" ]; then
        apt-cache madison "$pkg" 2>/dev/null \
            | awk -F'|' -v s="$suite" '$3 ~ ("[ /]" s "[/ ]") && $3 ~ /Packages/ {gsub(/ /, "", $2); print $2; exit}'
    else
        apt-cache policy "$pkg" 2>/dev/null | awk '/Candidate:/ {print $2; exit}' | grep -v '(none)' || true
    fi
}

_qb_build() {
    local root="$1" existing tmp deb p ver dirname dep alt name op want inst got cand suite ok first
    local -a alts=()
    local -a debs=() extra=()
    declare -A done_pkg=()
    existing="$(_qb_existing "$root")"
    if [ -n "$existing" ]; then printf '%s\n' "$existing"; return 0; fi

    _qb_sources
    _qb_apt_update
    mkdir -p "$root"
    find "$root" -mindepth 1 -maxdepth 1 -name '.tmp.*' -mmin +60 -exec rm -rf {} + 2>/dev/null || true
    tmp="$(mktemp -d "$root/.tmp.XXXXXX")"
    mkdir "$tmp/debs" "$tmp/tree"
    for p in "${QB_PKGS[@]}"; do
        _qb_note "downloading $p/$QB_SUITE"
        deb="$(_qb_download "$tmp/debs" "$p/$QB_SUITE")"
        [ -n "$deb" ] || _qb_die "apt-get download $p/$QB_SUITE gave no .deb"
        debs+=("$deb")
        done_pkg[$p]=1
    done
    ver="$(dpkg-deb -f "${debs[0]}" Version)"

    # Dependencies that this machine does not satisfy (not installed, or too old): extract
    # them into the tree too. (Alternatives "a | b": the first one that is installed and
    # new enough wins; else the first one is fetched.)
    for deb in "${debs[@]}"; do
        while IFS= read -r dep; do
            [ -n "$dep" ] || continue
            ok=0; first=""
            IFS='|' read -r -a alts <<<"$dep"
            for alt in "${alts[@]}"; do
                alt="$(echo "$alt" | sed 's/^ *//; s/ *$//; s/:any//')"
                name="${alt%% *}"
                [ -z "$first" ] && first="$alt"
                if [ -n "${done_pkg[$name]:-}" ]; then ok=1; break; fi
                inst="$(_qb_installed "$name")"
                [ -n "$inst" ] || continue
                if [[ "$alt" =~ \(([<>=]+)\ *([^\)]+)\) ]]; then
                    _qb_satisfies "$inst" "${BASH_REMATCH[1]}" "${BASH_REMATCH[2]// /}" && { ok=1; break; }
                else
                    ok=1; break
                fi
            done
            [ "$ok" = 1 ] && continue
            name="${first%% *}"; op=""; want=""
            if [[ "$first" =~ \(([<>=]+)\ *([^\)]+)\) ]]; then op="${BASH_REMATCH[1]}"; want="${BASH_REMATCH[2]// /}"; fi
            got=""
            for suite in "$QB_SUITE" ""; do
                cand="$(_qb_candidate "$name" "$suite")"
                [ -n "$cand" ] || continue
                if [ -z "$op" ] || _qb_satisfies "$cand" "$op" "$want"; then
                    _qb_note "$name ${op:+$op $want }is needed and not installed here: extracting $name $cand${suite:+ ($suite)} into the tree"
                    got="$(_qb_download "$tmp/debs" "$name=$cand")"
                    break
                fi
            done
            [ -n "$got" ] || _qb_die "$(basename "$deb") needs $first: no such version installed or in apt's suites"
            extra+=("$got")
            done_pkg[$name]=1
        done < <(dpkg-deb -f "$deb" Depends | tr ',' '\n' | sed 's/^ *//')
    done
    debs+=(${extra[@]+"${extra[@]}"})

    {
        echo "# QEMU for jvmm's nested test host (L1), from scripts/setup-host --qemu-backports"
        echo "# made $(date -u +%Y-%m-%dT%H:%M:%SZ); use: JVMM_L1_QEMU=$root/<this dir> scripts/nested-run ..."
        for deb in "${debs[@]}"; do
            printf '%s %s sha256=%s\n' "$(dpkg-deb -f "$deb" Package)" "$(dpkg-deb -f "$deb" Version)" \
                "$(sha256sum "$deb" | cut -d' ' -f1)"
        done
    } >"$tmp/info"
    for deb in "${debs[@]}"; do
        dpkg-deb -x "$deb" "$tmp/tree" || _qb_die "dpkg-deb -x $deb failed"
    done

    # The binary must find all its shared libraries (from the system, or extracted above).
    local libs="" d missing
    for d in "$tmp/tree/usr/lib/x86_64-linux-gnu" "$tmp/tree/lib/x86_64-linux-gnu"; do
        if compgen -G "$d/*.so*" >/dev/null; then libs="${libs:+$libs:}$d"; fi
    done
    missing="$(LD_LIBRARY_PATH="$libs" ldd "$tmp/tree/usr/bin/qemu-system-x86_64" | awk '/not found/ {print $1}' | tr '\n' ' ')"
    [ -z "$missing" ] || _qb_die "the extracted qemu-system-x86_64 lacks shared libraries: $missing(install the packages that hold them)"
    LD_LIBRARY_PATH="$libs" "$tmp/tree/usr/bin/qemu-system-x86_64" --version >/dev/null 2>&1 \
        || _qb_die "the extracted qemu-system-x86_64 does not run: $(LD_LIBRARY_PATH="$libs" "$tmp/tree/usr/bin/qemu-system-x86_64" --version 2>&1 | head -n 1)"

    mv "$tmp/info" "$tmp/tree/JVMM-QEMU-INFO"
    dirname="$(printf '%s' "${ver#*:}" | tr -c 'A-Za-z0-9._+-' '_')"
    rm -rf "$root/$dirname"          # an incomplete leftover (no JVMM-QEMU-INFO)
    mv -T "$tmp/tree" "$root/$dirname"
    rm -rf "$tmp"
    _qb_note "QEMU $ver extracted into $root/$dirname"
    printf '%s\n' "$root/$dirname"
}

qemu_backports_dir() {
    local cache root existing codename
    cache="${JVMM_CACHE:-${HOME:-/root}/.cache/jvmm}"
    root="$cache/qemu"
    existing="$(_qb_existing "$root")"
    if [ -n "$existing" ]; then printf '%s\n' "$existing"; return 0; fi

    [ "$(id -u)" -eq 0 ] || _qb_die "--qemu-backports: not root; run as root (it adds $QB_SUITE to apt's sources and runs apt-get)"
    if [ -r /etc/os-release ]; then
        # shellcheck disable=SC1091
        codename="$(. /etc/os-release && echo "${VERSION_CODENAME:-}")"
        [ "$codename" = bookworm ] || _qb_die "--qemu-backports is for Debian 12 (bookworm); this is '${codename:-unknown}'"
    fi
    command -v flock >/dev/null || _qb_die "flock is missing (util-linux)"
    mkdir -p "$root"
    (
        flock -w 1800 9 || _qb_die "timed out waiting for the lock $root/.lock"
        export DEBIAN_FRONTEND=noninteractive
        _qb_build "$root"
    ) 9>"$root/.lock"
}
