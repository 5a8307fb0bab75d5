package plugin

import "github.com/hearthpds/hearth/plugins/sdk/go/wire"

// Message is an encoded message of the wire format (package wire, shared
// with the Go SDK).
type Message = wire.Message
