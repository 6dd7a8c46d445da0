package desired

import (
	"slices"
	"testing"
	"time"

	"github.com/seesaw-lb/seesaw/internal/testconfig"
)

// TestNotifyConfig: hooks decode into the values written, with the
// default timeout where none is written.
func TestNotifyConfig(t *testing.T) {
	dir := writeDir(t, map[string]string{"node.yaml": nodeYAML + `  notify:
    - name: page-oncall
      on: [master, fault, service_down]
      run: [/usr/local/bin/page, --team, lb]
      timeout: 3s
    - {name: log.all, on: [master, backup, fault, stop, service_up, service_down], run: [/usr/bin/logger], services: [web]}
`, "web.yaml": webServiceYAML})
	n := mustLoad(t, dir).Node.Notify
	if len(n) != 2 {
		t.Fatalf("notify = %+v", n)
	}
	want := Hook{Name: "page-oncall", On: []HookEvent{HookMaster, HookFault, HookServiceDown},
		Run: []string{"/usr/local/bin/page", "--team", "lb"}, Timeout: 3 * time.Second}
	if !n[0].Equal(want) || n[0].Source.Line != 5 {
		t.Errorf("hook 0 = %+v, want %+v at line 5", n[0], want)
	}
	if n[1].Timeout != DefaultHookTimeout || !slices.Equal(n[1].Services, []string{"web"}) || n[0].Services != nil || !slices.Equal(n[1].On, HookEvents) || !n[1].Wants(HookStop) || n[0].Wants(HookStop) {
		t.Errorf("hook 1 = %+v", n[1])
	}
	if none := mustLoad(t, writeDir(t, map[string]string{"node.yaml": nodeYAML})).Node.Notify; none != nil {
		t.Errorf("no notify key decoded to %+v", none)
	}
}

// webServiceYAML is a file with one service, web.
const webServiceYAML = `services:
  - name: web
    vip: 192.0.2.10
    ports: [{proto: tcp, port: 80}]
    backends: [{address: 198.51.100.1}]
`

// TestNotifyConfigErrors: each bad hook is refused with its file:line:col.
func TestNotifyConfigErrors(t *testing.T) {
	const ok = "run: [/bin/true]"
	tests := []struct {
		name, hooks string
		want        []string
	}{
		{"missing keys", "    - {timeout: 1s}\n", []string{
			"node.yaml:5:7: node.notify[0].name: missing: every hook needs a name (it labels the hook's logs and metrics)",
			"node.yaml:5:7: node.notify[0].on: missing: the events the hook runs on (master, backup, fault, stop, service_up, service_down)",
			"node.yaml:5:7: node.notify[0].run: missing: the program to run, as a list [/absolute/path, arg, ...]"}},
		{"bad name", "    - {name: 'page oncall', on: [master], " + ok + "}\n", []string{
			`node.yaml:5:14: node.notify[0].name: hook name "page oncall": use 1 to 64 letters, digits, '_', '-' or '.' (it is a metric label)`}},
		{"twice", "    - {name: a, on: [master], " + ok + "}\n    - {name: a, on: [backup], " + ok + "}\n", []string{
			`node.yaml:6:7: node.notify[1].name: hook "a" is defined twice`}},
		{"unknown event", "    - {name: a, on: [master, notify_up], " + ok + "}\n", []string{
			`node.yaml:5:30: node.notify[0].on[1]: "notify_up" is not an event; want one of master, backup, fault, stop, service_up, service_down`}},
		{"event twice", "    - {name: a, on: [stop, stop], " + ok + "}\n", []string{
			`node.yaml:5:28: node.notify[0].on[1]: event "stop" is listed twice`}},
		{"no events", "    - {name: a, on: [], " + ok + "}\n", []string{
			`node.yaml:5:21: node.notify[0].on: empty: list the events the hook runs on (master, backup, fault, stop, service_up, service_down)`}},
		{"relative program", "    - {name: a, on: [master], run: [notify.sh, master]}\n", []string{
			`node.yaml:5:37: node.notify[0].run[0]: program "notify.sh" is not an absolute file path; write it in full (the hook runs without a shell and without $PATH lookup)`}},
		{"shell command", "    - {name: a, on: [master], run: '/usr/bin/logger master | mail'}\n", []string{
			`node.yaml:5:36: node.notify[0].run: want a list [/absolute/path, arg, ...] (no shell runs it), got "/usr/bin/logger master | mail"`}},
		{"shell in argv", "    - {name: a, on: [master], run: ['logger x; mail']}\n", []string{
			`node.yaml:5:37: node.notify[0].run[0]: program "logger x; mail" is not an absolute file path; run takes an argv list, not a shell command: write [/usr/bin/prog, arg1, arg2], or [/bin/sh, -c, '...'] if a shell is really needed`}},
		{"empty run", "    - {name: a, on: [master], run: []}\n", []string{
			`node.yaml:5:36: node.notify[0].run: empty: the program to run, as a list [/absolute/path, arg, ...]`}},
		{"timeout range", "    - {name: a, on: [master], " + ok + ", timeout: 10m}\n", []string{
			`node.yaml:5:58: node.notify[0].timeout: 10m0s is outside 100ms..5m0s`}},
		{"timeout unit", "    - {name: a, on: [master], " + ok + ", timeout: 10}\n", []string{
			`node.yaml:5:58: node.notify[0].timeout: duration 10 has no unit; write e.g. 10s or 10ms`}},
		{"unknown key", "    - {name: a, on: [master], " + ok + ", user: nobody}\n", []string{
			`node.yaml:5:49: node.notify[0].user: unknown key "user"`}},
		{"services without service events", "    - {name: a, on: [master], " + ok + ", services: [web]}\n", []string{
			`node.yaml:5:59: node.notify[0].services: services filters service events, and on lists neither service_up nor service_down`}},
		{"services twice", "    - {name: a, on: [service_down], " + ok + ", services: [web, web]}\n", []string{
			`node.yaml:5:71: node.notify[0].services[1]: service "web" is listed twice`}},
		{"services empty", "    - {name: a, on: [service_down], " + ok + ", services: []}\n", []string{
			`node.yaml:5:65: node.notify[0].services: empty: leave services out to run on every service`}},
		{"unknown service", "    - {name: a, on: [service_down], " + ok + ", services: [db]}\n", []string{
			`node.yaml:5:7: node.notify[0].services[0]: no service named "db"`}},
		{"instances without VRRP events", "    - {name: a, on: [service_up], " + ok + ", instances: [default]}\n", []string{
			`node.yaml:5:64: node.notify[0].instances: instances filters VRRP events, and on lists none of master, backup, fault, stop`}},
		{"instances twice", "    - {name: a, on: [master], " + ok + ", instances: [default, default]}\n", []string{
			`node.yaml:5:70: node.notify[0].instances[1]: VRRP instance "default" is listed twice`}},
		{"instances empty", "    - {name: a, on: [master], " + ok + ", instances: []}\n", []string{
			`node.yaml:5:60: node.notify[0].instances: empty: leave instances out to run on every instance`}},
		{"unknown instance", "    - {name: a, on: [master], " + ok + ", instances: [vi_2]}\n", []string{
			`node.yaml:5:7: node.notify[0].instances[0]: no VRRP instance named "vi_2"; the node has no VRRP`}},
		{"not a list", "    {name: a}\n", []string{
			`node.yaml:5:5: node.notify: want a list, got a mapping`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := writeDir(t, map[string]string{"node.yaml": nodeYAML + "  notify:\n" + tt.hooks, "web.yaml": webServiceYAML})
			got := loadErrors(t, dir)
			if !slices.Equal(got, tt.want) {
				t.Errorf("errors:\n%s\nwant:\n%s", join(got), join(tt.want))
			}
		})
	}
}

// TestNotifyInstances: a hook limited to VRRP instances names instances
// of the node; a name the node lacks is refused with the ones it has.
func TestNotifyInstances(t *testing.T) {
	hook := "  notify:\n    - {name: web-master, on: [master, backup], run: [/bin/true], instances: [web]}\n"
	dir := writeDir(t, map[string]string{"node.yaml": testconfig.InstancesNode{Extra: hook}.String()})
	n := mustLoad(t, dir).Node.Notify
	if len(n) != 1 || !slices.Equal(n[0].Instances, []string{"web"}) || n[0].Services != nil {
		t.Fatalf("notify = %+v, want one hook limited to instance web", n)
	}
	if o := n[0]; o.Equal(Hook{Name: o.Name, On: o.On, Run: o.Run, Timeout: o.Timeout}) {
		t.Error("Equal ignores Instances")
	}
	bad := "  notify:\n    - {name: a, on: [master], run: [/bin/true], instances: [web, cache]}\n"
	got := loadErrors(t, writeDir(t, map[string]string{"node.yaml": testconfig.InstancesNode{Extra: bad}.String()}))
	want := []string{`node.yaml:9:7: node.notify[0].instances[1]: no VRRP instance named "cache"; the node's VRRP instances are web, db`}
	if !slices.Equal(got, want) {
		t.Errorf("errors:\n%s\nwant:\n%s", join(got), join(want))
	}
}
