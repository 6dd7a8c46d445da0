package reconcile

import "github.com/seesaw-lb/seesaw/internal/testenv"

// processCPU is the CPU time this process has used (testenv.ProcessCPU).
var processCPU = testenv.ProcessCPU
