// Command noop is a before-hook that allows every write without looking at
// it: the per-hook floor of the createRecord benchmarks.
package main

import pds "github.com/hearthpds/hearth/plugins/sdk/go"

func main() {}

func init() {
	pds.Register(pds.Plugin{BeforeRecord: func(pds.RecordEvent) pds.Decision { return pds.Allow() }})
}
