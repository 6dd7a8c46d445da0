package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// controlClient talks to a running daemon over its control socket.
type controlClient struct {
	socket string
	http   *http.Client
}

func newControlClient(socket string) *controlClient {
	tr := &http.Transport{DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
		var d net.Dialer
		return d.DialContext(ctx, "unix", socket)
	}}
	return &controlClient{socket: socket, http: &http.Client{Transport: tr, Timeout: 10 * time.Second}}
}

// call sends one request and decodes the reply; a refused request is an error.
func (c *controlClient) call(method, path string, q url.Values) (controlReply, error) {
	u := url.URL{Scheme: "http", Host: "seesaw", Path: path, RawQuery: q.Encode()}
	req, err := http.NewRequest(method, u.String(), nil)
	if err != nil {
		return controlReply{}, err
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return controlReply{}, fmt.Errorf("control socket %s: %w", c.socket, err)
	}
	defer resp.Body.Close()
	var r controlReply
	if err := json.NewDecoder(io.LimitReader(resp.Body, 64<<20)).Decode(&r); err != nil {
		return controlReply{}, fmt.Errorf("control socket %s: read reply to %s: %w", c.socket, path, err)
	}
	if !r.OK {
		return r, fmt.Errorf("%s", r.Error)
	}
	return r, nil
}

// clientFlags registers --socket on fs.
func clientFlags(fs *flag.FlagSet) *string {
	return fs.String("socket", defaultControlSocket, "control socket `path` of the running daemon")
}

func runStatusCmd(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("status", flag.ContinueOnError)
	socket := clientFlags(fs)
	output := fs.String("output", "table", "output format: table or json")
	if code, done := parseFlags(fs, args, stdout, stderr, "status [flags]",
		"Show the running daemon's state: VRRP, config, last reconcile, services and backends."); done {
		return code
	}
	r, err := newControlClient(*socket).call(http.MethodGet, "/status", nil)
	if err != nil {
		fmt.Fprintf(stderr, "status: %v\n", err)
		return exitFailure
	}
	switch *output {
	case "json":
		e := json.NewEncoder(stdout)
		e.SetIndent("", "  ")
		_ = e.Encode(r.Status)
	case "table":
		renderStatus(stdout, *r.Status)
	default:
		fmt.Fprintf(stderr, "status: --output %q: want table or json\n", *output)
		return exitUsage
	}
	return exitOK
}

func runFailoverCmd(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("failover", flag.ContinueOnError)
	socket := clientFlags(fs)
	if code, done := parseFlags(fs, args, stdout, stderr, "failover [flags]",
		"Ask the running VRRP master to step down so the best backup takes over."); done {
		return code
	}
	if _, err := newControlClient(*socket).call(http.MethodPost, "/failover", nil); err != nil {
		fmt.Fprintf(stderr, "failover: %v\n", err)
		return exitFailure
	}
	fmt.Fprintln(stdout, "stepped down: the best backup takes over")
	return exitOK
}

func runDrainCmd(args []string, stdout, stderr io.Writer) int {
	return overrideCmd("drain", args, stdout, stderr)
}

func runEnableCmd(args []string, stdout, stderr io.Writer) int {
	return overrideCmd("enable", args, stdout, stderr)
}

// overrideCmd is drain BACKEND and enable BACKEND.
func overrideCmd(name string, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	socket := clientFlags(fs)
	backend, args := backendArg(args)
	if code, done := parseFlags(fs, args, stdout, stderr, name+" BACKEND [flags]",
		"BACKEND is ADDRESS or ADDRESS:PORT; the override is saved beside the config and survives a restart."); done {
		return code
	}
	if backend == "" {
		fmt.Fprintf(stderr, "%s: no BACKEND given\n", name)
		return exitUsage
	}
	if _, err := parseBackendRef(backend); err != nil {
		fmt.Fprintf(stderr, "%s: %v\n", name, err)
		return exitUsage
	}
	if _, err := newControlClient(*socket).call(http.MethodPost, "/"+name, url.Values{"backend": {backend}}); err != nil {
		fmt.Fprintf(stderr, "%s: %v\n", name, err)
		return exitFailure
	}
	fmt.Fprintf(stdout, "%s %s: done\n", name, backend)
	return exitOK
}

// backendArg takes the BACKEND argument out of args, before or after the
// flags (the only flag with a value is --socket).
func backendArg(args []string) (string, []string) {
	for i, a := range args {
		if strings.HasPrefix(a, "-") {
			continue
		}
		if i > 0 && (args[i-1] == "-socket" || args[i-1] == "--socket") {
			continue
		}
		return a, append(args[:i:i], args[i+1:]...)
	}
	return "", args
}
