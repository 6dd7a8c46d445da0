package keepalived

import (
	"bytes"
	"fmt"
	"strings"

	"go.yaml.in/yaml/v3"
)

// renderNode writes node.yaml: the node and the floating addresses (the
// VIPs without a virtual_server), one per line.
func renderNode(n *outNode, addrs []outAddress, header string) ([]byte, error) {
	top := struct {
		Node      *outNode     `yaml:"node"`
		Addresses []outAddress `yaml:"addresses,omitempty"`
	}{n, addrs}
	doc, err := encodeNode(top)
	if err != nil {
		return nil, err
	}
	for i := 0; i+1 < len(doc.Content); i += 2 {
		key, val := doc.Content[i].Value, doc.Content[i+1]
		if key == "addresses" {
			for _, e := range val.Content {
				e.Style = yaml.FlowStyle
			}
		}
		if key != "node" {
			continue
		}
		for j := 0; j+1 < len(val.Content); j += 2 {
			if val.Content[j].Value == "vrrp_sync_groups" {
				for _, e := range val.Content[j+1].Content {
					e.Style = yaml.FlowStyle
				}
			}
		}
	}
	plainOnKeys(doc)
	return render(doc, header)
}

// renderServices writes services.yaml: each service in block style with a
// comment naming the virtual_server it came from; ports, backends,
// fallbacks and small mappings in flow style, one per line.
func renderServices(svcs []*service, header string) ([]byte, error) {
	list := make([]*outService, len(svcs))
	for i, s := range svcs {
		list[i] = &s.out
	}
	doc, err := encodeNode(map[string]any{"services": list})
	if err != nil {
		return nil, err
	}
	seq := doc.Content[1]
	for i, item := range seq.Content {
		item.HeadComment = fmt.Sprintf("from virtual_server at %s", svcs[i].pos)
		for j := 0; j+1 < len(item.Content); j += 2 {
			switch item.Content[j].Value {
			case "ports", "backends", "fallback":
				for _, e := range item.Content[j+1].Content {
					e.Style = yaml.FlowStyle
				}
			case "persistence", "watermarks":
				item.Content[j+1].Style = yaml.FlowStyle
			}
		}
	}
	return render(doc, header)
}

// encodeNode turns v into a YAML mapping node.
func encodeNode(v any) (*yaml.Node, error) {
	var n yaml.Node
	if err := n.Encode(v); err != nil {
		return nil, fmt.Errorf("encode configuration: %w", err)
	}
	return &n, nil
}

// render writes doc with a comment header, two-space indents.
func render(doc *yaml.Node, header string) ([]byte, error) {
	var buf bytes.Buffer
	for _, line := range splitLines(header) {
		buf.WriteString("# " + line + "\n")
	}
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(doc); err != nil {
		return nil, fmt.Errorf("write configuration: %w", err)
	}
	if err := enc.Close(); err != nil {
		return nil, fmt.Errorf("write configuration: %w", err)
	}
	return buf.Bytes(), nil
}

// splitLines splits s into lines, none for an empty s.
func splitLines(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(s, "\n")
}
