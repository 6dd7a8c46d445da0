package rtlink

import (
	"errors"
	"strings"
	"testing"

	"github.com/jsimonetti/rtnetlink/v2"
)

// TestByName: the loopback link is found by name with its index, and a
// missing or impossible name is ErrNoLink, not a socket error.
func TestByName(t *testing.T) {
	c, err := rtnetlink.Dial(nil)
	if err != nil {
		t.Fatalf("open rtnetlink: %v", err)
	}
	defer c.Close()
	lm, err := ByName(c, "lo")
	if err != nil || lm.Index != 1 || lm.Attributes.Name != "lo" {
		t.Fatalf("lo: %+v, %v", lm, err)
	}
	for _, name := range []string{"nosuch0", "", strings.Repeat("x", 16)} {
		if _, err := ByName(c, name); !errors.Is(err, ErrNoLink) {
			t.Errorf("%q: %v, want ErrNoLink", name, err)
		}
	}
}
