module github.com/hearthpds/hearth/plugins/examples

go 1.24

require github.com/hearthpds/hearth/plugins/sdk/go v0.0.0

replace github.com/hearthpds/hearth/plugins/sdk/go => ../sdk/go
