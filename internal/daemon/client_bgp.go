package daemon

import "net/http"

// DrainNode withdraws every BGP route of the node (drain-node); it
// survives a restart until UndrainNode.
func (c *Client) DrainNode() error {
	_, err := c.call(http.MethodPost, "/drain-node", nil)
	return err
}

// UndrainNode undoes DrainNode.
func (c *Client) UndrainNode() error {
	_, err := c.call(http.MethodPost, "/undrain-node", nil)
	return err
}
