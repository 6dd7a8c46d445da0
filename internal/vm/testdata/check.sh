# Run with --script by selftest.sh: proves --bin, --extra and the guest's
# shell environment (iproute2's ip, not busybox's, for ip netns).
test "$(hello)" = "hello from the VM"
grep -q 'copied with --extra' /etc/seesaw-extra/extra.txt
ip netns add selftest
ip netns exec selftest ip link set lo up
ip netns del selftest
ipvsadm -A -t 192.0.2.1:80 -s rr
ipvsadm -Sn | grep -q -- '-A -t 192.0.2.1:80 -s rr'
ipvsadm -C
echo "check.sh: all checks passed"
