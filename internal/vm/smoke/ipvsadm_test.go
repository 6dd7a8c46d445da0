package smoke

import (
	"os"
	"strconv"
	"strings"
	"testing"
)

// TestIPVSAddAndReadBack adds services and destinations of both families with
// ipvsadm and reads the table back in ipvsadm's save format.
func TestIPVSAddAndReadBack(t *testing.T) {
	requireVM(t)
	clearIPVS(t)
	run(t, "", "ipvsadm", "-A", "-t", "192.0.2.10:80", "-s", "wrr", "-p", "300")
	run(t, "", "ipvsadm", "-a", "-t", "192.0.2.10:80", "-r", "198.51.100.21:80", "-g", "-w", "10")
	run(t, "", "ipvsadm", "-a", "-t", "192.0.2.10:80", "-r", "198.51.100.22:8080", "-m", "-w", "0")
	run(t, "", "ipvsadm", "-A", "-u", "[2001:db8:10::53]:53", "-s", "mh")
	run(t, "", "ipvsadm", "-a", "-u", "[2001:db8:10::53]:53", "-r", "[2001:db8:20::1]:53", "-i", "-w", "5")
	run(t, "", "ipvsadm", "-A", "-f", "7", "-s", "sh")

	got := run(t, "", "ipvsadm", "-Sn")
	want := strings.Join([]string{
		"-A -t 192.0.2.10:80 -s wrr -p 300",
		"-a -t 192.0.2.10:80 -r 198.51.100.21:80 -g -w 10",
		"-a -t 192.0.2.10:80 -r 198.51.100.22:8080 -m -w 0",
		"-A -u [2001:db8:10::53]:53 -s mh",
		"-a -u [2001:db8:10::53]:53 -r [2001:db8:20::1]:53 -i -w 5 --tun-type ipip",
		"-A -f 7 -s sh",
	}, "\n") + "\n"
	if got != want {
		t.Errorf("ipvsadm -Sn:\n%s\nwant:\n%s", got, want)
	}
}

// TestIPVSRejectsDuplicate shows the kernel, not a fake, answers: a second
// identical service is refused.
func TestIPVSRejectsDuplicate(t *testing.T) {
	requireVM(t)
	clearIPVS(t)
	run(t, "", "ipvsadm", "-A", "-t", "192.0.2.11:443", "-s", "rr")
	out, err := runErr("", "ipvsadm", "-A", "-t", "192.0.2.11:443", "-s", "rr")
	if err == nil {
		t.Fatalf("adding service tcp/192.0.2.11:443 twice succeeded:\n%s", out)
	}
	if !strings.Contains(out, "exists") {
		t.Errorf("duplicate service error = %q, want it to say the service exists", out)
	}
}

// TestEverySchedulerLoaded creates one service per scheduler that
// internal/vm/modules.list loads.
func TestEverySchedulerLoaded(t *testing.T) {
	requireVM(t)
	clearIPVS(t)
	scheds := []string{"rr", "wrr", "lc", "wlc", "lblc", "lblcr", "dh", "sh", "sed", "nq", "fo", "ovf", "mh"}
	if _, err := os.Stat("/sys/module/ip_vs_twos"); err == nil {
		scheds = append(scheds, "twos")
	}
	for i, s := range scheds {
		vip := "192.0.2.20:" + strconv.Itoa(1000+i)
		run(t, "", "ipvsadm", "-A", "-t", vip, "-s", s)
		run(t, "", "ipvsadm", "-a", "-t", vip, "-r", "198.51.100.30:80", "-g")
	}
	got := strings.Count(run(t, "", "ipvsadm", "-Sn"), "-A -t 192.0.2.20:")
	if got != len(scheds) {
		t.Errorf("ipvsadm -Sn lists %d services, want %d (one per scheduler)", got, len(scheds))
	}
}

// TestPersistenceEngineSIP needs ip_vs_pe_sip, also from modules.list.
func TestPersistenceEngineSIP(t *testing.T) {
	requireVM(t)
	clearIPVS(t)
	run(t, "", "ipvsadm", "-A", "-u", "192.0.2.30:5060", "-s", "rr", "-p", "60", "--pe", "sip")
	got := run(t, "", "ipvsadm", "-Sn")
	if want := "-A -u 192.0.2.30:5060 -s rr -p 60 --pe sip\n"; got != want {
		t.Errorf("ipvsadm -Sn = %q, want %q", got, want)
	}
}
