// Command hello is built with --bin by selftest.sh to prove programs reach the VM.
package main

import "fmt"

func main() { fmt.Println("hello from the VM") }
