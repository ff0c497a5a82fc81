#!/bin/sh
# /bin/loadmods: insmod the virtio modules of this initramfs in dependency
# order (list in /etc/jvmm-modules, "name path" per line). Exit status 1 if
# one failed.
loaded=
failed=0
while read -r name path; do
    [ -n "$name" ] || continue
    if [ -d "/sys/module/$name" ]; then
        loaded="$loaded $name(already)"
    elif insmod "$path" 2>/tmp/.loadmods.err; then
        loaded="$loaded $name"
    else
        echo "loadmods: FAILED $name: $(cat /tmp/.loadmods.err)"
        failed=1
    fi
done </etc/jvmm-modules
echo "loadmods: loaded:$loaded"
exit $failed
