# shellcheck shell=bash
# Which QEMU runs the nested test host (L1), and with which -cpu: shared by
# scripts/nested-run and scripts/l1-flake-rate. Sourced, not executed; callers use
# `set -euo pipefail` and define PROG.
#
# l1_qemu_select reads
#   JVMM_L1_QEMU  a directory holding an extracted QEMU (dpkg-deb -x of Debian's
#                 qemu-system-x86 + qemu-system-data [+ qemu-system-common, seabios]):
#                 DIR/usr/bin/qemu-system-x86_64 and DIR/usr/share/qemu. Default: QEMU 10
#                 from bookworm-backports (scripts/setup-host --qemu-backports); 'system':
#                 the system's qemu-system-x86_64.
#   JVMM_L1_CPU   the -cpu value (default EPYC,+svm,+npt)
# and sets
#   L1_CPU          the -cpu value
#   QEMU_BIN        the binary
#   QEMU_ENV        array of VAR=VALUE for that binary alone (run it with env)
#   QEMU_DATA_ARGS  array: the -L options
#   QEMU_VERSION    e.g. 7.2.22 (from --version)
# On bad input it prints one line and exits 2.
#
# An extracted Debian QEMU looks for its ROMs in the absolute /usr/share/qemu (the system
# QEMU's, of another version) unless told otherwise, and for modules in
# /usr/lib/x86_64-linux-gnu/qemu: hence -L DIR/usr/share/qemu first, then the BIOS and
# iPXE directories (DIR's own first: Debian's QEMU 10 wants seabios >> 1.16.3, bookworm
# has 1.16.2), and QEMU_MODULE_DIR=DIR/usr/lib/x86_64-linux-gnu/qemu. Shared libraries
# extracted into DIR go on LD_LIBRARY_PATH, for QEMU alone.
l1_qemu_select() {
    local d q_dir q_libs out qemu_dir
    # The default L1 is QEMU 10 from bookworm-backports: in the measurements in
    # scripts/README.md ("Choosing the L1 emulator") L1 under Debian 12's QEMU 7.2 locked up,
    # froze or panicked in full test runs, and under QEMU 10 it did not. 'system' picks 7.2.
    qemu_dir="${JVMM_L1_QEMU-}"
    case "$qemu_dir" in
        system) qemu_dir="" ;;
        "")
            qemu_dir="$("$(dirname "${BASH_SOURCE[0]}")/../setup-host" --qemu-backports)" \
                || { echo "$PROG: could not set up QEMU from bookworm-backports (JVMM_L1_QEMU=system uses the system's QEMU)" >&2; exit 1; }
            ;;
    esac
    L1_CPU="${JVMM_L1_CPU:-EPYC,+svm,+npt}"
    [[ "$L1_CPU" =~ ^[A-Za-z0-9][A-Za-z0-9_.,+=-]*$ ]] \
        || { echo "$PROG: JVMM_L1_CPU='$L1_CPU' is not a QEMU -cpu value (e.g. EPYC,+svm,+npt)" >&2; exit 2; }
    QEMU_BIN=qemu-system-x86_64
    QEMU_ENV=()
    QEMU_DATA_ARGS=()
    if [ -n "$qemu_dir" ]; then
        [ -d "$qemu_dir" ] || { echo "$PROG: JVMM_L1_QEMU=$JVMM_L1_QEMU: no such directory" >&2; exit 2; }
        q_dir="$(realpath "$qemu_dir")"
        [ -x "$q_dir/usr/bin/qemu-system-x86_64" ] \
            || { echo "$PROG: JVMM_L1_QEMU=$JVMM_L1_QEMU has no usr/bin/qemu-system-x86_64 (expected a dpkg-deb -x tree, e.g. from scripts/setup-host --qemu-backports)" >&2; exit 2; }
        [ -d "$q_dir/usr/share/qemu" ] \
            || { echo "$PROG: JVMM_L1_QEMU=$JVMM_L1_QEMU has no usr/share/qemu (extract qemu-system-data into it too)" >&2; exit 2; }
        QEMU_BIN="$q_dir/usr/bin/qemu-system-x86_64"
        QEMU_DATA_ARGS=(-L "$q_dir/usr/share/qemu")
        for d in "$q_dir/usr/share/seabios" /usr/share/seabios "$q_dir/usr/lib/ipxe/qemu" /usr/lib/ipxe/qemu; do
            if [ -d "$d" ]; then QEMU_DATA_ARGS+=(-L "$d"); fi
        done
        QEMU_ENV=("QEMU_MODULE_DIR=$q_dir/usr/lib/x86_64-linux-gnu/qemu")
        q_libs=""
        for d in "$q_dir/usr/lib/x86_64-linux-gnu" "$q_dir/lib/x86_64-linux-gnu"; do
            if compgen -G "$d/*.so*" >/dev/null; then q_libs="${q_libs:+$q_libs:}$d"; fi
        done
        if [ -n "$q_libs" ]; then
            case "$q_dir" in *:*) echo "$PROG: JVMM_L1_QEMU must not contain ':' (it goes into LD_LIBRARY_PATH)" >&2; exit 2 ;; esac
            QEMU_ENV+=("LD_LIBRARY_PATH=$q_libs${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}")
        fi
    elif ! command -v qemu-system-x86_64 >/dev/null 2>&1; then
        if declare -F need_cmd >/dev/null; then
            need_cmd qemu-system-x86_64
        else
            echo "$PROG: qemu-system-x86_64 is missing (run scripts/setup-host)" >&2; exit 2
        fi
    fi
    out="$(env ${QEMU_ENV[@]+"${QEMU_ENV[@]}"} "$QEMU_BIN" --version 2>&1 | head -n 1 || true)"
    [[ "$out" =~ version\ ([0-9][^ ]*) ]] \
        || { echo "$PROG: $QEMU_BIN does not run: ${out:-no output}" >&2; exit 2; }
    QEMU_VERSION="${BASH_REMATCH[1]}"
}
