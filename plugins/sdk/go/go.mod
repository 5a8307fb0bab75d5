module github.com/hearthpds/hearth/plugins/sdk/go

go 1.24
