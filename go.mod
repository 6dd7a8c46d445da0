module github.com/seesaw-lb/seesaw

go 1.26.0

require (
	golang.org/x/net v0.53.0
	golang.org/x/sys v0.50.0
)
