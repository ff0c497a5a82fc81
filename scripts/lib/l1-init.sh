#!/bin/sh
# /init of the L1 initramfs built by scripts/nested-run (busybox sh).
#
# ttyS0 = kernel console (nested-run logs it to a file; a JVMM-L1-ALIVE line every
#         5 s tells nested-run that L1 is still running),
# ttyS1 = the command's output and the control lines that nested-run reads:
#   JVMM-L1-INIT-OK run=ID        init started
#   JVMM-L1-WARN: text            shown on nested-run's stderr
#   JVMM-L1-FAIL: text            setup failed, L1 powers off
#   JVMM-NESTED-EXIT=N run=ID     the command ended with status N
# Must never exit (the kernel would panic).

PATH=/bin:/sbin:/usr/bin:/usr/sbin
export PATH
OUT=/dev/ttyS1

mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mkdir -p /dev/pts /dev/shm
mount -t devpts -o gid=5,mode=620,ptmxmode=666 devpts /dev/pts
mount -t tmpfs -o mode=1777 tmpfs /dev/shm
# no \n -> \r\n translation and no echo on the output port
stty -F "$OUT" raw -echo 2>/dev/null

RUN=
for a in $(cat /proc/cmdline); do
    case "$a" in jvmm.run=*) RUN=${a#jvmm.run=} ;; esac
done

# each echo opens and closes the port: the close waits until the bytes left
say() { echo "$*" >"$OUT"; }
halt_l1() {
    sync
    poweroff -f
    while :; do sleep 3600; done
}
fail() {
    say "JVMM-L1-FAIL: $*"
    halt_l1
}

say "JVMM-L1-INIT-OK run=$RUN"
hostname jvmm-l1
# Heartbeat: an L1 that has stopped running (seen: both CPUs idle for good, its timers
# never firing) prints nothing else, so nested-run can only tell it from a quiet one by this.
( while :; do echo "JVMM-L1-ALIVE" >/dev/ttyS0; sleep 5; done ) &

# modules, in dependency order ("name path" per line)
while read -r name path; do
    [ -n "$name" ] || continue
    [ -d "/sys/module/$name" ] && continue
    # module parameters from L1's command line (name.param=value, as modprobe would pass them:
    # insmod does not read /proc/cmdline), e.g. nested-run --kernel-args kvm_amd.npt=0
    params=""
    for a in $(cat /proc/cmdline); do
        case "$a" in "$name".*=*) params="$params ${a#"$name".}" ;; esac
    done
    # shellcheck disable=SC2086 # one word per parameter
    insmod "$path" $params 2>/tmp/insmod.err || say "JVMM-L1-WARN: insmod $name$params failed: $(cat /tmp/insmod.err)"
done </etc/jvmm-modules
[ -c /dev/kvm ] || say "JVMM-L1-WARN: no /dev/kvm in L1 (kvm_amd did not load)"

P9="trans=virtio,version=9p2000.L,msize=262144"
mkdir -p /host /mnt/scratch /ovl
mount -t 9p -o "$P9,ro,cache=loose" hostroot /host || fail "cannot mount the host root (9p tag hostroot)"
mount -t 9p -o "$P9" scratch /mnt/scratch || fail "cannot mount the scratch share (9p tag scratch)"

CTL="/mnt/scratch/.jvmm-nested-run.$RUN"
[ -f "$CTL/ctl" ] || fail "no control file $CTL/ctl in the scratch share"
{ read -r SCRATCH_HOST; read -r HOMEDIR; } <"$CTL/ctl"

mount -o rbind /dev /host/dev || fail "cannot bind /dev into /host"
mount -t proc proc /host/proc || fail "cannot mount /host/proc"
mount -o rbind /sys /host/sys || fail "cannot bind /sys into /host"

# Writable, RAM-backed places over the read-only host root. An overlay keeps
# what the host has there visible; plain tmpfs if overlayfs is not usable.
mount -t tmpfs -o mode=755 tmpfs /ovl
n=0
writable() {  # DIR MODE
    d="/host$1"
    [ -d "$d" ] || return 0
    n=$((n + 1))
    mkdir -p "/ovl/u$n" "/ovl/w$n"
    chmod "$2" "/ovl/u$n"
    mount -t overlay overlay -o "lowerdir=$d,upperdir=/ovl/u$n,workdir=/ovl/w$n" "$d" 2>/dev/null \
        || mount -t tmpfs -o "mode=$2" tmpfs "$d" \
        || say "JVMM-L1-WARN: cannot make $1 writable"
}
writable /tmp 1777
writable /var/tmp 1777
mount -t tmpfs -o mode=755 tmpfs /host/run 2>/dev/null || say "JVMM-L1-WARN: cannot mount tmpfs on /run"
case "$HOMEDIR" in
    /|"") ;;
    *) writable "$HOMEDIR" 700 ;;
esac

# the scratch share at the same path as on the host, or at /tmp/jvmm-scratch
SCRATCH="$SCRATCH_HOST"
if ! { mkdir -p "/host$SCRATCH" 2>/dev/null && mount -o bind /mnt/scratch "/host$SCRATCH"; }; then
    SCRATCH=/tmp/jvmm-scratch
    say "JVMM-L1-WARN: cannot mount the scratch dir at $SCRATCH_HOST inside L1; it is at $SCRATCH"
    mkdir -p "/host$SCRATCH" && mount -o bind /mnt/scratch "/host$SCRATCH" || fail "cannot mount the scratch dir in L1"
fi

# run the command: its stdout/stderr is a pipe (as in CI), not the tty
rm -f /tmp/rc
{
    chroot /host /usr/bin/env -i JVMM_SCRATCH="$SCRATCH" /bin/bash --noprofile --norc \
        "$SCRATCH/.jvmm-nested-run.$RUN/cmd.sh" </dev/null 2>&1
    echo $? >/tmp/rc
} | cat >"$OUT"
rc=$(cat /tmp/rc 2>/dev/null)
say "JVMM-NESTED-EXIT=${rc:-125} run=$RUN"
halt_l1
