# make demo, inside the test VM (internal/vm/run.sh --script): the product on
# real IPVS in under two minutes. Runs with sh -e after /etc/vm-profile.

say() { printf '\n\033[1m==> %s\033[0m\n' "$*"; }
# wait_for CMD...: retry a command for at most 20 s.
wait_for() {
	i=0
	until "$@" >/dev/null 2>&1; do
		i=$((i + 1))
		[ "$i" -le 40 ] || { echo "demo: timed out waiting for: $*" >&2; return 1; }
		sleep 0.5
	done
}

ipvsadm -C # start from an empty table (earlier suites in the same VM)
cfg=/tmp/seesaw
mkdir -p "$cfg"
cp /etc/seesaw-examples/dr-web/lb1/*.yaml "$cfg/"
# The VM has one interface, dummy0; the example says eth1/eth2.
sed -i 's/eth[12]/dummy0/g' "$cfg/node.yaml"
# lb1's VRRP source address (node.vrrp.source) must be on its interface.
ip addr add 192.0.2.251/24 dev dummy0

say "the configuration (examples/dr-web/lb1)"
cat "$cfg/web.yaml"

say "seesaw-reconcile validate --config-dir $cfg"
seesaw-reconcile validate --config-dir "$cfg"

say "seesaw-reconcile --dry-run --config-dir $cfg   (exit 2: changes)"
rc=0; seesaw-reconcile --dry-run --config-dir "$cfg" --color always || rc=$?
echo "exit code $rc"
[ "$rc" -eq 2 ]

say "seesaw-reconcile run --config-dir $cfg   (the daemon, in the background)"
seesaw-reconcile run --config-dir "$cfg" >/tmp/daemon.log 2>&1 &
daemon=$!
wait_for sh -c 'ipvsadm -Ln | grep -q 198.51.100.23'
ipvsadm -Ln
ip -br addr show dev dummy0
ipvsadm -L --daemon # the connection-sync daemons: both roles on a VRRP node

say "edit web.yaml: backend 198.51.100.22 weight 10 -> 20"
sed 's/198.51.100.22, weight: 10/198.51.100.22, weight: 20/' "$cfg/web.yaml" > /tmp/web.yaml
mkdir -p /tmp/preview && cp "$cfg/node.yaml" /tmp/preview/ && cp /tmp/web.yaml /tmp/preview/
say "seesaw-reconcile --dry-run on the edited copy: the one change"
rc=0; seesaw-reconcile --dry-run --config-dir /tmp/preview --color always || rc=$?
echo "exit code $rc"
mv /tmp/web.yaml "$cfg/web.yaml"
wait_for sh -c 'ipvsadm -Ln | grep "198.51.100.22:80" | grep -q " 20 "'
say "the daemon applied exactly that change"
grep 'applied plan' /tmp/daemon.log | tail -1
ipvsadm -Ln

say "an invalid edit is rejected; the kernel keeps running the last good config"
printf 'services:\n  - name: web\n    vip: 192.0.2.10\n    ports: [{proto: tcp, port: 70000}]\n' > "$cfg/broken.yaml"
wait_for grep -q 'broken.yaml:4' /tmp/daemon.log
grep 'invalid configuration' /tmp/daemon.log | tail -1
rm "$cfg/broken.yaml"

say "SIGTERM: the daemon stops and leaves the kernel as it is"
kill -TERM "$daemon"
wait "$daemon" || true
ipvsadm -Ln | head -4
if grep -q 'reconcile failed' /tmp/daemon.log; then grep 'reconcile failed' /tmp/daemon.log; exit 1; fi
say "done"
