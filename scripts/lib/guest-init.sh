#!/bin/sh
# /init of the L2 guest initramfs built by scripts/guest-image (busybox sh).
#   prints JVMM-GUEST-INIT-OK on the console;
#   jvmm.mods=1          -> runs /bin/loadmods (virtio modules);
#   /test.sh present     -> runs it with sh, prints JVMM-GUEST-TEST-EXIT=<n>;
#   jvmm.end=poweroff|reboot|shell|halt (default poweroff) -> what happens then.
# Must never exit: the kernel panics when init exits.

PATH=/bin:/sbin:/usr/bin:/usr/sbin
export PATH
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev 2>/dev/null
mkdir -p /dev/pts /tmp
mount -t devpts devpts /dev/pts 2>/dev/null

echo "JVMM-GUEST-INIT-OK"

END=poweroff
MODS=0
for a in $(cat /proc/cmdline); do
    case "$a" in
        jvmm.end=*) END=${a#jvmm.end=} ;;
        jvmm.mods=1) MODS=1 ;;
    esac
done

[ "$MODS" = 1 ] && /bin/loadmods

if [ -f /test.sh ]; then
    sh /test.sh
    echo "JVMM-GUEST-TEST-EXIT=$?"
fi

case "$END" in
    reboot) reboot -f ;;
    halt)   ;;
    shell)
        setsid cttyhack sh
        poweroff -f ;;
    poweroff) poweroff -f ;;
    *)  echo "init: unknown jvmm.end=$END, powering off"
        poweroff -f ;;
esac
# halt, or poweroff/reboot did not take effect: never exit
while :; do sleep 3600; done
