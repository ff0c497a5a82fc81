# Shared by the scripts/bench-* benchmarks (sourced, bash).

# median [int]: the median of the numbers on stdin, one per line ("nan" if none). Of an even
# count, the mean of the middle two: to one decimal, or rounded down to an integer with "int".
median() {
    sort -n | awk -v mode="${1:-}" '{a[NR]=$1}
        END {if (NR==0) {print "nan"} else if (NR%2) {print a[(NR+1)/2]}
             else if (mode == "int") {print int((a[NR/2]+a[NR/2+1])/2)}
             else {printf "%.1f\n", (a[NR/2]+a[NR/2+1])/2}}'
}

# bench_in_l1 SCRIPT ARGS...: from the host, checks that jvmm is built (JVMM_TARGET picks the
# output folder), writes the L2 guest's kernel and initramfs into a fresh scratch directory
# (SCRATCH/guest) and runs SCRIPT --inside ARGS in the nested test host; never returns.
bench_in_l1() {
    local script=$1; shift
    local repo name scratch
    repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
    name=$(basename "$script")
    [ -f "$repo/vmm-cli/${JVMM_TARGET:-target}/jvmm-cli.jar" ] || {
        echo "$name: build first: mvn -B package -DskipTests" >&2; exit 2; }
    scratch=$(mktemp -d /tmp/jvmm-bench.XXXXXX)
    "$repo/scripts/guest-image" "$scratch/guest" >&2
    exec "$repo/scripts/nested-run" --scratch "$scratch" --timeout 1800 -e JVMM_TARGET="${JVMM_TARGET:-target}" \
        -- "$script" --inside "$@"
}

# time_to_marker MARKER CMD...: runs CMD (at most 300 s) and prints the milliseconds from its
# start until a line of its stdout contains MARKER; prints nothing if none does. (A pipe, not
# process substitution: L1's /dev has no /dev/fd.)
time_to_marker() {
    local marker=$1 start line
    shift
    start=$(date +%s%N)
    timeout 300 "$@" </dev/null 2>/dev/null | while IFS= read -r line; do
        if [[ "$line" == *"$marker"* ]]; then
            echo $(( ($(date +%s%N) - start) / 1000000 ))
        fi
    done
}
