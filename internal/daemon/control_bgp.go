package daemon

import (
	"errors"
	"net/http"
)

// handleNodeDrain registers POST /drain-node and POST /undrain-node:
// withdraw every BGP route of the node (established flows keep being
// served) and announce them again.
func (w *wiring) handleNodeDrain(mux *http.ServeMux, access controlAccess) {
	mux.HandleFunc("POST /drain-node", w.changing(access, "drain-node", func(*http.Request) error {
		return w.nodeDrain(true)
	}))
	mux.HandleFunc("POST /undrain-node", w.changing(access, "undrain-node", func(*http.Request) error {
		return w.nodeDrain(false)
	}))
}

// nodeDrain sets the node drain of a node with node.bgp.
func (w *wiring) nodeDrain(drained bool) error {
	w.mu.Lock()
	hasBGP := w.haveRaw && w.raw.Node.BGP != nil
	w.mu.Unlock()
	if !hasBGP {
		return errors.New("no node.bgp section: this node announces nothing over BGP")
	}
	return w.bgp.setDrained(drained)
}
