package plugin

import (
	"context"
	"errors"
	"github.com/hearthpds/hearth/plugins/sdk/go/wire"
	"log/slog"
	"strconv"
	"strings"

	"github.com/tetratelabs/wazero/api"
)

// Host call statuses: the high 32 bits of an import's i64 answer; the low
// 32 bits are the length of the pending result the guest fetches with
// pds.result(ptr). On StatusFailed the result is the error message.
const (
	statusOK       = 0
	statusNotFound = 1
	statusDenied   = 2
	statusFailed   = 3
	statusQuota    = 4
)

var i32 = api.ValueTypeI32
var i64 = api.ValueTypeI64

// hostFn is an import's body: it reads its arguments from guest memory and
// returns a status and result bytes.
type hostFn func(ctx context.Context, mc *machine, mem api.Memory, stack []uint64) (uint32, []byte)

func (mc *machine) instantiateHost(ctx context.Context, h *Host) error {
	b := mc.rt.NewHostModuleBuilder("pds")
	b.NewFunctionBuilder().WithGoModuleFunction(api.GoModuleFunc(func(ctx context.Context, mod api.Module, stack []uint64) {
		msg, _ := mod.Memory().Read(uint32(stack[1]), uint32(stack[2]))
		lvl := slog.LevelInfo
		switch api.DecodeU32(stack[0]) {
		case 0:
			lvl = slog.LevelDebug
		case 2:
			lvl = slog.LevelWarn
		case 3:
			lvl = slog.LevelError
		}
		h.log.Log(ctx, lvl, string(msg), "plugin", mc.manifest.ID)
	}), []api.ValueType{i32, i32, i32}, nil).Export("log")
	b.NewFunctionBuilder().WithGoModuleFunction(api.GoModuleFunc(func(ctx context.Context, mod api.Module, stack []uint64) {
		mod.Memory().Write(uint32(stack[0]), mc.pending)
		mc.pending = nil
	}), []api.ValueType{i32}, nil).Export("result")

	add := func(name, capability string, params []api.ValueType, fn hostFn) {
		b.NewFunctionBuilder().WithGoModuleFunction(api.GoModuleFunc(func(ctx context.Context, mod api.Module, stack []uint64) {
			status, res := uint32(statusDenied), []byte(nil)
			if capability == "" || mc.p.granted(capability) {
				status, res = fn(ctx, mc, mod.Memory(), stack)
			} else {
				res = []byte(capability + " not granted")
			}
			mc.pending = res
			stack[0] = uint64(status)<<32 | uint64(uint32(len(res)))
		}), params, []api.ValueType{i64}).Export(name)
	}
	two := []api.ValueType{i32, i32}
	add("config_get", "", two, hostConfigGet)
	add("kv_get", CapKVRead, two, hostKVGet)
	add("kv_put", CapKVWrite, []api.ValueType{i32, i32, i32, i32}, hostKVPut)
	add("kv_delete", CapKVWrite, two, hostKVDelete)
	add("kv_list", CapKVRead, two, hostKVList)
	add("http_fetch", CapHTTPFetch, two, hostHTTPFetch)
	add("record_get", CapRecordRead, two, hostRecordGet)
	add("record_list", CapRecordRead, two, hostRecordList)
	add("blob_read", CapBlobRead, two, hostBlobRead)
	add("repo_export", CapRepoExport, two, hostRepoExport)
	add("firehose_cursor_get", CapFirehose, nil, hostCursorGet)
	add("firehose_cursor_set", CapFirehose, []api.ValueType{i64}, hostCursorSet)
	_, err := b.Instantiate(ctx)
	return err
}

func readArg(mem api.Memory, ptr, n uint64) ([]byte, bool) {
	return mem.Read(uint32(ptr), uint32(n))
}

func failed(err error) (uint32, []byte) {
	switch {
	case errors.Is(err, ErrNotFound):
		return statusNotFound, nil
	case errors.Is(err, ErrQuota):
		return statusQuota, []byte(strings.TrimPrefix(err.Error(), ErrQuota.Error()+": "))
	case errors.Is(err, ErrDenied):
		return statusDenied, []byte(strings.TrimPrefix(err.Error(), ErrDenied.Error()+": "))
	}
	return statusFailed, []byte(err.Error())
}

var errBadArgs = errors.New("arguments outside memory")

func hostConfigGet(ctx context.Context, mc *machine, mem api.Memory, s []uint64) (uint32, []byte) {
	k, ok := readArg(mem, s[0], s[1])
	if !ok {
		return failed(errBadArgs)
	}
	v, err := mc.p.configValue(string(k))
	if err != nil {
		return failed(err)
	}
	return statusOK, v
}

func hostKVGet(ctx context.Context, mc *machine, mem api.Memory, s []uint64) (uint32, []byte) {
	k, ok := readArg(mem, s[0], s[1])
	if !ok {
		return failed(errBadArgs)
	}
	v, err := mc.p.host.kv.Get(ctx, mc.manifest.ID, string(k))
	if err != nil {
		return failed(err)
	}
	return statusOK, v
}

func hostKVPut(ctx context.Context, mc *machine, mem api.Memory, s []uint64) (uint32, []byte) {
	k, ok1 := readArg(mem, s[0], s[1])
	v, ok2 := readArg(mem, s[2], s[3])
	if !ok1 || !ok2 {
		return failed(errBadArgs)
	}
	quota := int64(mc.manifest.Limits.KVQuotaKiB) * 1024
	if err := mc.p.host.kv.Put(ctx, mc.manifest.ID, string(k), v, quota); err != nil {
		return failed(err)
	}
	return statusOK, nil
}

func hostKVDelete(ctx context.Context, mc *machine, mem api.Memory, s []uint64) (uint32, []byte) {
	k, ok := readArg(mem, s[0], s[1])
	if !ok {
		return failed(errBadArgs)
	}
	if err := mc.p.host.kv.Delete(ctx, mc.manifest.ID, string(k)); err != nil {
		return failed(err)
	}
	return statusOK, nil
}

func hostKVList(ctx context.Context, mc *machine, mem api.Memory, s []uint64) (uint32, []byte) {
	b, ok := readArg(mem, s[0], s[1])
	if !ok {
		return failed(errBadArgs)
	}
	m := Message(b)
	limit := int(min(m.Uint(wire.TagLimit), 1000))
	if limit == 0 {
		limit = 100
	}
	keys, err := mc.p.host.kv.List(ctx, mc.manifest.ID, m.String(wire.TagKey), m.String(wire.TagCursor), limit)
	if err != nil {
		return failed(err)
	}
	var out Message
	for _, k := range keys {
		out = out.AddString(wire.TagKey, k)
	}
	return statusOK, out
}

func hostCursorGet(ctx context.Context, mc *machine, mem api.Memory, s []uint64) (uint32, []byte) {
	return statusOK, strconv.AppendInt(nil, mc.p.cursor(), 10)
}

func hostCursorSet(ctx context.Context, mc *machine, mem api.Memory, s []uint64) (uint32, []byte) {
	if err := mc.p.setCursor(int64(s[0])); err != nil {
		return failed(err)
	}
	return statusOK, nil
}
