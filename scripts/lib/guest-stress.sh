# /test.sh of the stress guest of scripts/l1-flake-rate --stress (busybox sh, run by
# guest-init.sh). For the seconds of jvmm.stress=SECS on the kernel command line (default
# 90) it keeps both vCPUs going idle and being woken: three sleepers (timer interrupts after
# hlt), a pipe whose reader sleeps until the writer wakes it (reschedule IPIs), and a
# fork+exec loop (TLB-flush IPIs when processes exit). Those are the moments at which
# guests died in the nested host (README, "A guest triple fault is a failure").
STRESS_SECS=90
for a in $(cat /proc/cmdline); do
    case "$a" in jvmm.stress=*) STRESS_SECS=${a#jvmm.stress=} ;; esac
done
end=$(( $(date +%s) + STRESS_SECS ))
for i in 1 2 3; do
    ( while [ "$(date +%s)" -lt "$end" ]; do usleep 300; done ) &
done
( while [ "$(date +%s)" -lt "$end" ]; do echo x; usleep 700; done ) | ( while read -r _; do :; done ) &
( while [ "$(date +%s)" -lt "$end" ]; do /bin/true; usleep 2000; done ) &
( n=0; while [ "$(date +%s)" -lt "$end" ]; do sleep 5; n=$((n + 5)); echo "JVMM-STRESS-ALIVE $n"; done ) &
wait
echo "JVMM-STRESS-DONE"
