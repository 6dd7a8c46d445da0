package reconcile

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestRenderColorAndJSON(t *testing.T) {
	_, c := fakeWith(t)
	converge(t, c, services(t, webYAML), nil)
	cfg := services(t, strings.Replace(webYAML, "weight: 10}", "weight: 15}", 1))
	p := diff(snapshot(t, c), effective(cfg, nil, true, nil), scopeOf(cfg))

	var col strings.Builder
	if err := RenderText(&col, p, true); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(col.String(), "\x1b[33m~ destination 198.51.100.21:80 in tcp/192.0.2.10:80 weight 10 -> 15\x1b[0m\n") {
		t.Fatalf("coloured diff:\n%q", col.String())
	}
	if strings.Contains(planText(t, p), "\x1b") {
		t.Fatal("plain rendering has escape codes")
	}

	var js strings.Builder
	if err := RenderJSON(&js, p); err != nil {
		t.Fatal(err)
	}
	var got JSONPlan
	if err := json.Unmarshal([]byte(js.String()), &got); err != nil {
		t.Fatalf("%v in %s", err, js.String())
	}
	if len(got.Changes) != 2 || got.Summary["update_destination"] != 2 || got.Held {
		t.Fatalf("json plan: %+v", got)
	}
	ch := got.Changes[0]
	if ch.Action != "change" || ch.Object != "destination" || ch.Destination != "198.51.100.21:80" ||
		ch.Old["weight"] != "10" || ch.New["weight"] != "15" || ch.Service != "tcp/192.0.2.10:80" {
		t.Fatalf("json step: %+v", ch)
	}
}

func TestRenderNoChanges(t *testing.T) {
	got := planText(t, Plan{})
	if got != "No changes: the kernel matches the configuration.\n" {
		t.Fatalf("%q", got)
	}
}
