module github.com/seesaw-lb/seesaw

go 1.26.0

require (
	github.com/fsnotify/fsnotify v1.10.1
	github.com/mdlayher/netlink v1.11.2
	go.yaml.in/yaml/v3 v3.0.6
	golang.org/x/sys v0.50.0
)

require (
	github.com/google/go-cmp v0.7.0 // indirect
	github.com/mdlayher/socket v0.6.0 // indirect
	golang.org/x/net v0.55.0 // indirect
	golang.org/x/sync v0.24.0 // indirect
)
