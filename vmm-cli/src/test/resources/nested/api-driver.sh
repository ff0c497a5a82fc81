#!/bin/bash
# ApiNestedIT's driver, run in the nested host: api-driver.sh DIR REPO. DIR holds vm.toml (the
# counter VM "apivm"), malformed.py and every output this leaves for the test methods to
# check; REPO is the repository (bin/jvmm, scripts/lib). The steps are numbered as the test
# methods describe them.
D=${1:?usage: api-driver.sh DIR REPO}
cd "${2:?usage: api-driver.sh DIR REPO}" || exit 1
rm -rf "$D"/snap* "$D"/stall* "$D"/*.log "$D"/*.out "$D"/*.json "$D"/*.txt "$D"/*.ndjson "$D"/stop-readers
S=/run/jvmm/apivm.sock
PID=
waitfor() { n=0; while ! grep -q "$2" "$1" 2>/dev/null; do n=$((n+1)); [ $n -gt $3 ] && return 1
  [ -n "$PID" ] && ! kill -0 "$PID" 2>/dev/null && return 1; sleep 0.2; done; }
count() { grep -c '^COUNT' "$1" 2>/dev/null || echo 0; }
# api METHOD OP [JSON]: one request with curl; the JSON answer and the status on a line each.
api() { curl -sS --max-time 300 --unix-socket "$S" -X "$1" -d "${3:-}" -w '\n%{http_code}\n' \
  "http://localhost/api/v1/vm$2"; }

# A guest that stopped counting: L1's last KVM events, and a snapshot whose interrupt
# state the failure message decodes (StallReport); the VM then runs on.
stall_evidence() { scripts/lib/l1-kvm-trace save "$D/l1-kvm-trace-$1.txt"; scripts/lib/l1-kvm-trace start
  api PUT /pause > /dev/null; api PUT /snapshot "{"dir": "$D/$1"}" > "$D/$1.json"; api PUT /resume > /dev/null; }
# L1's last KVM events are kept (scripts/lib/l1-kvm-trace) and saved when a guest
# triple-faults: KVM on AMD resets the vCPU first, so jvmm cannot say where it died.
scripts/lib/l1-kvm-trace start

# 1. run --detach: returns once the API answers; prints the name and socket.
t0=$(date +%s%N)
bin/jvmm run --detach --log-level debug "$D/vm.toml" > "$D/detach.out" 2> "$D/detach.err"
echo "detach_exit=$? detach_ms=$(( ($(date +%s%N) - t0) / 1000000 ))" > "$D/detach.txt"
PID=$(curl -s --unix-socket "$S" http://localhost/api/v1/vm | sed 's/.*"pid":\([0-9]*\).*/\1/')
echo "pid=$PID" >> "$D/detach.txt"
stat -c 'dir_mode=%a' /run/jvmm >> "$D/detach.txt"; stat -c 'socket_mode=%a' "$S" >> "$D/detach.txt"
curl -sN --unix-socket "$S" http://localhost/api/v1/vm/events > "$D/events.ndjson" &
EV=$!
waitfor "$D/serial.log" '^COUNT 30' 1500 || echo "DRIVER no counter"
bin/jvmm ls > "$D/ls.out" 2>&1

# 2. A second VM of the same name is refused while the first runs. Under a timeout: if the
#    first VM has died, this one starts and would run until killed: the test must fail, not hang.
timeout 120 bin/jvmm run "$D/vm.toml" > "$D/dup.out" 2>&1; echo $? > "$D/dup.exit"

# 3. pause with curl (the counter stops), resume with the jvmm client.
api PUT /pause > "$D/pause.json"
a=$(count "$D/serial.log"); sleep 3; b=$(count "$D/serial.log")
echo "paused_before=$a paused_after=$b" > "$D/pause.txt"
bin/jvmm resume apivm > "$D/resume.out" 2>&1
r0=$(date +%s%N); n=0
while [ "$(count "$D/serial.log")" -le "$b" ] && [ $n -lt 100 ]; do n=$((n+1)); sleep 0.2; done
echo "resume_to_next_count_ms=$(( ($(date +%s%N) - r0) / 1000000 ))" >> "$D/pause.txt"
sleep 1
echo "resumed_after=$(count "$D/serial.log")" >> "$D/pause.txt"

# 4. 16 clients read the VM in a loop while another pauses and resumes three times
#    and snapshots once (a second and third snapshot proved nothing new). The readers
#    are threads of one process (api-readers.py), each on a connection of its own per
#    request, 1 s apart: as a curl process per request, they kept both of L1's emulated
#    CPUs busy starting processes, and the snapshot beside them took 24 s. At 0.3 s apart
#    they still filled the one CPU of the test's L1: each pause or resume took 4.4-7.5 s and the
#    snapshot 53 s, and this step 138 s; at 1 s apart 0.7-1.7 s, 9 s and 36 s (2026-12-07, one
#    run each). Any pace keeps the 16 connections overlapping the rounds; how fast the
#    emulated host serves them is not what is tested.
/usr/bin/python3 "$D/readers.py" "$S" 16 1.0 "$D/stop-readers" "$D" &
READERS=$!
# The rounds begin once every reader has had an answer, so they all overlap.
for i in $(seq 1 16); do
  waitfor "$D/get-$i.out" '^[0-9][0-9][0-9]$' 300 || echo "DRIVER reader $i had no answer"
done
for k in 1 2 3; do
  api PUT /pause >> "$D/concurrent.out"; api PUT /resume >> "$D/concurrent.out"
  # Into L1's RAM (the job's /tmp), not the 9p share: nothing on the host reads it.
  [ $k = 2 ] && api PUT /snapshot "{\"dir\": \"/tmp/snapc\"}" >> "$D/concurrent.out"
done
touch "$D/stop-readers"; wait $READERS
bin/jvmm restore --dry-run /tmp/snapc > /dev/null 2>&1; echo "snapc=$?" >> "$D/dryrun.txt"

# 5. Malformed and hostile requests; the guest keeps counting.
before=$(count "$D/serial.log")
/usr/bin/python3 "$D/malformed.py" "$S" "$PID" > "$D/malformed.txt" 2>&1
echo "count_before=$before count_after=$(count "$D/serial.log")" >> "$D/malformed.txt"
api DELETE "" >> "$D/methods.out"; api GET /nothing >> "$D/methods.out"

# 6. Another uid: the 0700 directory keeps it out; with the modes loosened, SO_PEERCRED does.
setpriv --reuid=65534 --regid=65534 --clear-groups curl -sS --unix-socket "$S" http://localhost/api/v1/vm \
  > "$D/uid-modes.out" 2>&1; echo "curl_exit=$?" >> "$D/uid-modes.out"
chmod 755 /run/jvmm; chmod 666 "$S"
setpriv --reuid=65534 --regid=65534 --clear-groups curl -sS --unix-socket "$S" -X PUT \
  -w '\n%{http_code}\n' http://localhost/api/v1/vm/pause > "$D/uid-peercred.out" 2>&1
chmod 700 /run/jvmm; chmod 600 "$S"
api GET "" > "$D/after-uid.json"

# 7. Console: attach, type, detach with Ctrl-]; then a client killed in the middle of an attach.
{ sleep 2; printf 'echo CONSOLE-$((40+2))\n'; sleep 3; printf '\035'; } \
  | timeout 120 bin/jvmm console apivm > "$D/console.out" 2> "$D/console.err"; echo $? > "$D/console.exit"
# stdin that never ends: a FIFO in L1's tmpfs held open by this shell (no /dev/fd for <(...) in L1)
mkfifo /tmp/jvmm-never; exec 3<>/tmp/jvmm-never
# Killed once it has attached and the guest's output flows, not after a fixed 15 s
# (which also passed when the client had not attached yet).
bin/jvmm console apivm <&3 > "$D/console-killed.out" 2>&1 &
K=$!
waitfor "$D/console-killed.out" 'attached to apivm' 300 || echo "DRIVER console client never attached"
sleep 1; kill -KILL $K; wait $K 2>/dev/null
a=$(count "$D/serial.log"); sleep 2; b=$(count "$D/serial.log")
echo "after_kill_before=$a after_kill_after=$b" > "$D/console.txt"
[ "$b" -gt "$a" ] || stall_evidence stall
api GET "" > "$D/after-console.json"

# 8. The shell attaches: its commands work on the VM, and quitting leaves it running.
bin/jvmm attach apivm -c 'ls; pause; info; resume; log -n 200' > "$D/attach.out" 2>&1; echo $? > "$D/attach.exit"
api GET "" > "$D/after-attach.json"

# 9. Snapshot with the client and exit; restore in a new process; the counter goes on.
bin/jvmm snapshot apivm "$D/snap" --after exit > "$D/snapshot.out" 2>&1; echo $? > "$D/snapshot.exit"
n=0; while kill -0 "$PID" 2>/dev/null && [ $n -lt 300 ]; do n=$((n+1)); sleep 0.2; done
sleep 1; kill $EV 2>/dev/null
cp /run/jvmm/apivm.log "$D/detached-run.log" 2>/dev/null
PID=
if grep -q 'triple-faulted' "$D/detached-run.log"; then
  scripts/lib/l1-kvm-trace save "$D/l1-kvm-trace.txt"; scripts/lib/l1-kvm-trace start
fi
# The snapshot as restore sees it: --dry-run lists what it would open; a corrupted
# one, a truncated one and one whose kernel file moved away are each refused.
bin/jvmm restore --dry-run "$D/snap" > "$D/snap-dryrun.out" 2>&1; echo $? > "$D/snap-dryrun.exit"
cp -r "$D/snap" "$D/snap-corrupt"
printf 'X' | dd of="$D/snap-corrupt/state.bin" bs=1 seek=300 conv=notrunc 2>/dev/null
cp -r "$D/snap" "$D/snap-truncated"
sz=$(stat -c %s "$D/snap/state.bin"); truncate -s $((sz - 100)) "$D/snap-truncated/state.bin"
for k in corrupt truncated; do
  timeout 120 bin/jvmm restore --serial-file "$D/$k.log" "$D/snap-$k" > "$D/$k.out" 2>&1; echo $? > "$D/$k.exit"
done
mv "$D/vmlinuz" "$D/vmlinuz.away"
timeout 120 bin/jvmm restore --serial-file "$D/nokernel.log" "$D/snap" > "$D/nokernel.out" 2>&1; echo $? > "$D/nokernel.exit"
mv "$D/vmlinuz.away" "$D/vmlinuz"
t0=$(date +%s%N)
bin/jvmm restore --serial-file "$D/restored.log" "$D/snap" > "$D/restore.out" 2>&1 &
PID=$!
waitfor "$D/restored.log" '^COUNT' 1500 || { echo "DRIVER no counter after restore"; stall_evidence stall-restored; }
echo "restore_to_first_line_ms=$(( ($(date +%s%N) - t0) / 1000000 ))" > "$D/restore.txt"
n=0; until curl -sf --max-time 30 --unix-socket "$S" http://localhost/api/v1/vm > /dev/null || [ $n -gt 120 ]; do
  n=$((n+1)); sleep 0.5; done
bin/jvmm ls > "$D/ls-restored.out" 2>&1
bin/jvmm info apivm > "$D/info-restored.out" 2>&1
bin/jvmm shutdown --force apivm > "$D/shutdown.out" 2>&1
wait $PID; echo $? > "$D/restore.exit"; PID=
grep -q 'triple-faulted' "$D/restore.out" && scripts/lib/l1-kvm-trace save "$D/l1-kvm-trace-restored.txt"
ls /run/jvmm > "$D/left.txt" 2>&1
du -k "$D/snap/memory.bin" "$D/snap/state.bin" >> "$D/restore.txt"
