package pdsplugin

import "github.com/hearthpds/hearth/plugins/sdk/go/wire"

// Message is an encoded message of the wire format (package wire, shared
// with the host).
type Message = wire.Message
