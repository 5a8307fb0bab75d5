//go:build wasip1

package pdsplugin

func beforeRecord(action string, ptr, size uint32) uint64 {
	if registered.BeforeRecord == nil {
		input(ptr, size)
		return 0
	}
	return answer(registered.BeforeRecord(DecodeRecordEvent(action, input(ptr, size))).encode())
}

func afterRecord(action string, ptr, size uint32) uint64 {
	if registered.AfterRecord != nil {
		registered.AfterRecord(DecodeRecordEvent(action, input(ptr, size)))
	}
	return 0
}

//go:wasmexport record.before_create
func recordBeforeCreate(ptr, size uint32) uint64 { return beforeRecord("create", ptr, size) }

//go:wasmexport record.before_update
func recordBeforeUpdate(ptr, size uint32) uint64 { return beforeRecord("update", ptr, size) }

//go:wasmexport record.before_delete
func recordBeforeDelete(ptr, size uint32) uint64 { return beforeRecord("delete", ptr, size) }

//go:wasmexport record.after_create
func recordAfterCreate(ptr, size uint32) uint64 { return afterRecord("create", ptr, size) }

//go:wasmexport record.after_update
func recordAfterUpdate(ptr, size uint32) uint64 { return afterRecord("update", ptr, size) }

//go:wasmexport record.after_delete
func recordAfterDelete(ptr, size uint32) uint64 { return afterRecord("delete", ptr, size) }

func blobBefore(fn func(BlobEvent) Decision, ptr, size uint32) uint64 {
	in := input(ptr, size)
	if fn == nil {
		return 0
	}
	return answer(fn(DecodeBlobEvent(in)).encode())
}

//go:wasmexport blob.before_upload
func blobBeforeUpload(ptr, size uint32) uint64 {
	return blobBefore(registered.BeforeBlobUpload, ptr, size)
}

//go:wasmexport blob.validate
func blobValidate(ptr, size uint32) uint64 { return blobBefore(registered.ValidateBlob, ptr, size) }

//go:wasmexport blob.after_upload
func blobAfterUpload(ptr, size uint32) uint64 {
	in := input(ptr, size)
	if registered.AfterBlobUpload != nil {
		registered.AfterBlobUpload(DecodeBlobEvent(in))
	}
	return 0
}

//go:wasmexport xrpc.before
func xrpcBefore(ptr, size uint32) uint64 {
	in := input(ptr, size)
	if registered.XRPCBefore == nil {
		return 0
	}
	return answer(registered.XRPCBefore(DecodeXRPCEvent(in)).encode())
}

//go:wasmexport xrpc.after
func xrpcAfter(ptr, size uint32) uint64 {
	in := input(ptr, size)
	if registered.XRPCAfter != nil {
		registered.XRPCAfter(DecodeXRPCEvent(in))
	}
	return 0
}

//go:wasmexport xrpc.handle
func xrpcHandle(ptr, size uint32) uint64 {
	in := input(ptr, size)
	if registered.XRPCHandle == nil {
		return answer(encodeXRPCResponse(XRPCResponse{Status: 501}))
	}
	return answer(encodeXRPCResponse(registered.XRPCHandle(DecodeXRPCRequest(in))))
}

//go:wasmexport firehose.on_commit
func firehoseOnCommit(ptr, size uint32) uint64 {
	in := input(ptr, size)
	if registered.OnCommit != nil {
		registered.OnCommit(DecodeCommitEvent(in))
	}
	return 0
}

//go:wasmexport privacy.on_access_grant_request
func privacyOnAccessGrantRequest(ptr, size uint32) uint64 {
	in := input(ptr, size)
	if registered.OnAccessGrantRequest == nil {
		return 0
	}
	return answer(registered.OnAccessGrantRequest(DecodeGrantEvent(in)).encode())
}

//go:wasmexport privacy.on_key_rotation
func privacyOnKeyRotation(ptr, size uint32) uint64 {
	in := input(ptr, size)
	if registered.OnKeyRotation != nil {
		registered.OnKeyRotation(DecodeGrantEvent(in))
	}
	return 0
}
