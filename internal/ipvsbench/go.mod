module github.com/seesaw-lb/seesaw/internal/ipvsbench

go 1.26.0

require (
	github.com/cloudflare/ipvs v0.12.0
	github.com/moby/ipvs v1.1.0
	github.com/seesaw-lb/seesaw v0.0.0
	golang.org/x/sys v0.50.0
)

require (
	github.com/google/go-cmp v0.7.0 // indirect
	github.com/mdlayher/genetlink v1.4.0 // indirect
	github.com/mdlayher/netlink v1.11.2 // indirect
	github.com/mdlayher/socket v0.7.0 // indirect
	github.com/sirupsen/logrus v1.9.0 // indirect
	github.com/vishvananda/netlink v1.3.1 // indirect
	github.com/vishvananda/netns v0.0.5 // indirect
	golang.org/x/net v0.62.0 // indirect
	golang.org/x/sync v0.24.0 // indirect
)

replace github.com/seesaw-lb/seesaw => ../..
