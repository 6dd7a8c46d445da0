// Package checkpath holds what the host needs so that a health check sent
// through IPVS (the dsr and tunnel forwarding methods) reaches the backend
// and its answer comes back.
//
//   - Routes: a host route per VIP (Route, protocol RouteProtocol), which a
//     node that does not hold the VIP needs before its packets reach IPVS.
//     NewRoutes returns the kernel's, over rtnetlink; only routes with
//     RouteProtocol are ever listed or deleted.
//   - Sysctls: AcceptLocalSysctl, which the node holding the VIP needs to
//     accept the backend's answer from the VIP. ProcSysctls reads and
//     writes /proc/sys.
//   - SourceFor: the source address the kernel picks towards a backend,
//     which a check on the node holding the VIP binds.
//
// Package reconcile decides when each is needed (reconcile.CheckRoutesOf,
// reconcile.CheckSysctls); docs/checks-through-ipvs.md explains why.
package checkpath
