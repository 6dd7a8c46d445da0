package reconcile

import "github.com/seesaw-lb/seesaw/desired"

// Loader is desired.Loader: it reloads a configuration directory,
// re-parsing only the files that changed. New code should use
// desired.Loader.
type Loader = desired.Loader
