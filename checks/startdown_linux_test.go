package checks

import (
	"net"
	"testing"
	"time"
)

// TestEngineStartDown: a check added with StartDown starts down though its
// spec starts up, rises after Rise successes, keeps its Key, and an Update
// of the running check without StartDown keeps its state.
func TestEngineStartDown(t *testing.T) {
	target := targetOf(t, listenTCP(t, func(net.Conn) {}).Addr())
	e := startEngine(t, Options{Coalesce: time.Millisecond})
	spec := fastTCP(3, 2)
	spec.InitialState = StateUp
	c := Check{Target: target, Spec: spec, StartDown: true}
	if c.Key() != (Check{Target: target, Spec: spec}).Key() {
		t.Fatal("StartDown changed the check's Key")
	}
	if err := e.Update([]Check{c}); err != nil {
		t.Fatal(err)
	}
	if st, ok := e.Status(c.Key()); !ok || st.State != StateDown {
		t.Fatalf("status after the update: %+v (%v), want down", st, ok)
	}
	b := nextBatch(t, e)
	if len(b) != 1 || b[0].State != StateUp || b[0].Key != c.Key() {
		t.Fatalf("first batch %+v, want the check rising", b)
	}
	if st, _ := e.Status(c.Key()); st.Checks < 3 {
		t.Fatalf("rose after %d checks, want rise 3", st.Checks)
	}
	c.StartDown = false
	if err := e.Update([]Check{c}); err != nil {
		t.Fatal(err)
	}
	if st, _ := e.Status(c.Key()); st.State != StateUp || st.Transitions != 1 {
		t.Fatalf("an update reset the running check: %+v", st)
	}
}
