// Package smoke proves the test VM (internal/vm) works before any project code
// depends on it: inside the VM (SEESAW_VM=1) its tests program IPVS with
// Debian's ipvsadm and read it back, check that every scheduler module is
// loaded, and join two network namespaces with a veth pair.
package smoke
