//go:build wasip1

package pdsplugin

import "unsafe"

// Memory exchange. The host asks the guest for a buffer (pds_alloc), writes
// the hook's input there and calls the hook with (ptr, len); the hook returns
// its answer as ptr<<32 | len. Buffers handed to the host are kept alive in
// pinned until the next call, so the garbage collector cannot move or free
// them while the host reads them.
var (
	pinned [][]byte
	out    []byte
)

//go:wasmexport pds_alloc
func pdsAlloc(size uint32) uint32 {
	b := make([]byte, size)
	pinned = append(pinned, b)
	if size == 0 {
		return 0
	}
	return uint32(uintptr(unsafe.Pointer(&b[0])))
}

// input returns the bytes the host wrote at ptr and releases the pins.
func input(ptr, size uint32) []byte {
	pinned = pinned[:0]
	if size == 0 {
		return nil
	}
	return unsafe.Slice((*byte)(unsafe.Add(unsafe.Pointer(nil), uintptr(ptr))), size)
}

// answer packs b for the host, keeping it alive until the next call.
func answer(b []byte) uint64 {
	if len(b) == 0 {
		return 0
	}
	out = b
	return uint64(uintptr(unsafe.Pointer(&b[0])))<<32 | uint64(len(b))
}

func ptrOf(b []byte) uint32 {
	if len(b) == 0 {
		return 0
	}
	return uint32(uintptr(unsafe.Pointer(&b[0])))
}

func strPtr(s string) uint32 {
	if len(s) == 0 {
		return 0
	}
	return uint32(uintptr(unsafe.Pointer(unsafe.StringData(s))))
}

//go:wasmimport pds result
func hostResult(ptr uint32)

// fetchResult copies the host's pending result of n bytes.
func fetchResult(n int32) []byte {
	if n <= 0 {
		return nil
	}
	b := make([]byte, n)
	hostResult(ptrOf(b))
	return b
}
