package desired_test

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/seesaw-lb/seesaw/desired"
)

// writeFile writes one configuration file into dir for the examples.
func writeFile(dir, name, text string) {
	if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o600); err != nil {
		panic(err)
	}
}

func ExampleLoad() {
	dir, err := os.MkdirTemp("", "seesaw-example")
	if err != nil {
		panic(err)
	}
	defer os.RemoveAll(dir)
	writeFile(dir, "node.yaml", "node: {name: lb1, interface: eth1}\n")
	writeFile(dir, "web.yaml", `services:
  - name: web
    vip: 192.0.2.10
    ports: [{proto: tcp, port: 80}, {proto: tcp, port: 443}]
    backends:
      - {address: 198.51.100.22, weight: 10}
      - {address: 198.51.100.21, weight: 20}
`)

	cfg, err := desired.Load(dir)
	if err != nil {
		panic(err)
	}
	fmt.Println("files:", cfg.Files)
	for _, s := range cfg.Services {
		fmt.Println("service", s.Name, s.VIP, "scheduler", s.Scheduler)
		for _, b := range s.Backends {
			fmt.Println("  backend", b.Address, "weight", b.Weight)
		}
	}
	// Output:
	// files: [node.yaml web.yaml]
	// service web 192.0.2.10 scheduler wlc
	//   backend 198.51.100.21 weight 20
	//   backend 198.51.100.22 weight 10
}

// Load reports every problem of every file at once, each at its file, line
// and column.
func ExampleLoad_errors() {
	dir, err := os.MkdirTemp("", "seesaw-example")
	if err != nil {
		panic(err)
	}
	defer os.RemoveAll(dir)
	writeFile(dir, "node.yaml", "node: {name: lb1, interface: eth1}\n")
	writeFile(dir, "web.yaml", `services:
  - name: web
    vip: 192.0.2.300
    ports: [{proto: tcp, port: 80}]
    backends: [{address: 198.51.100.21, wieght: 10}]
`)

	_, err = desired.Load(dir)
	fmt.Println(errors.Is(err, desired.ErrInvalid))
	fmt.Println(err)
	// Output:
	// true
	// web.yaml:3:10: services[0].vip: "192.0.2.300" is not an IP address
	// web.yaml:5:41: services[0].backends[0].wieght: unknown key "wieght"
}

// A Loader loads the same directory again after edits, re-parsing only the
// files that changed.
func ExampleLoader() {
	dir, err := os.MkdirTemp("", "seesaw-example")
	if err != nil {
		panic(err)
	}
	defer os.RemoveAll(dir)
	writeFile(dir, "node.yaml", "node: {name: lb1, interface: eth1}\n")
	writeFile(dir, "web.yaml", "services:\n  - {name: web, vip: 192.0.2.10, ports: [{proto: tcp, port: 80}], backends: [{address: 198.51.100.21}]}\n")

	l := desired.Loader{Dir: dir}
	_, reparsed, err := l.Load()
	fmt.Println("first load:", reparsed, "files parsed", err)
	writeFile(dir, "web.yaml", "services:\n  - {name: web, vip: 192.0.2.10, ports: [{proto: tcp, port: 8080}], backends: [{address: 198.51.100.21}]}\n")
	cfg, reparsed, err := l.Load()
	fmt.Println("after the edit:", reparsed, "file parsed", err, "port", cfg.Services[0].Ports[0].Port)
	// Output:
	// first load: 2 files parsed <nil>
	// after the edit: 1 file parsed <nil> port 8080
}
