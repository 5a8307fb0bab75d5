package xrpc

import (
	"compress/gzip"
	"compress/zlib"
	"context"
	"errors"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"strings"
	"time"

	"github.com/bluesky-social/indigo/atproto/syntax"
	"github.com/ipfs/go-cid"

	"github.com/hearthpds/hearth/backend/blobs"
	"github.com/hearthpds/hearth/backend/store"
)

// BlobHandlers serves the blob methods: com.atproto.repo.uploadBlob and
// listMissingBlobs, com.atproto.sync.getBlob and listBlobs.
type BlobHandlers struct {
	Store store.Store
	Blobs *blobs.Service
	// Limit is the largest blob accepted, in bytes.
	Limit int64
	Log   *slog.Logger
}

// Methods returns the methods to register.
func (h *BlobHandlers) Methods() []Method {
	return []Method{
		// Service auth: the video service uploads on a user's behalf.
		{NSID: "com.atproto.repo.uploadBlob", Kind: Procedure, Auth: AccessOrServiceAuth, Raw: h.uploadBlob},
		{NSID: "com.atproto.repo.listMissingBlobs", Kind: Query, Auth: AccessAuth, Handler: h.listMissingBlobs},
		{NSID: "com.atproto.sync.getBlob", Kind: Query, Auth: OptionalAuth, Raw: h.getBlob},
		{NSID: "com.atproto.sync.listBlobs", Kind: Query, Auth: OptionalAuth, Handler: h.listBlobs},
	}
}

// blobNotFound is getBlob's answer for a blob that is absent, taken down,
// or whose bytes are missing.
func blobNotFound(c cid.Cid) *Error {
	return Errorf(http.StatusNotFound, "BlobNotFound", "Blob not found: %s", c)
}

// getBlob streams a blob's bytes. The headers keep a browser from running
// it: the stored type with nosniff, a download disposition and a sandboxing
// CSP, as the reference PDS sends. Range and conditional requests are
// served by http.ServeContent.
func (h *BlobHandlers) getBlob(w http.ResponseWriter, r *http.Request) {
	c := &Call{r: r, w: w, Viewer: ViewerFrom(r.Context())}
	meta, f, err := h.openBlob(r.Context(), c)
	if err != nil {
		writeError(w, r, h.Log, err)
		return
	}
	defer f.Close()
	ref := meta.CID.String()
	hd := w.Header()
	hd.Set("Content-Type", meta.MimeType)
	if meta.MimeType == "" {
		hd.Set("Content-Type", "application/octet-stream")
	}
	hd.Set("X-Content-Type-Options", "nosniff")
	hd.Set("Content-Disposition", `attachment; filename="`+ref+`"`)
	hd.Set("Content-Security-Policy", "default-src 'none'; sandbox")
	hd.Set("ETag", `"`+ref+`"`)
	http.ServeContent(w, r, "", time.Time{}, f)
}

func (h *BlobHandlers) openBlob(ctx context.Context, c *Call) (store.Blob, blobs.File, error) {
	did, err := c.DID("did", true)
	if err != nil {
		return store.Blob{}, nil, err
	}
	ref, err := c.CID("cid", true)
	if err != nil {
		return store.Blob{}, nil, err
	}
	if _, err := available(ctx, h.Store, did, c.Viewer); err != nil {
		return store.Blob{}, nil, err
	}
	meta, f, err := h.Blobs.Open(ctx, did, *ref)
	if errors.Is(err, blobs.ErrNotFound) || errors.Is(err, blobs.ErrTakenDown) {
		return meta, nil, blobNotFound(*ref)
	}
	return meta, f, err
}

type listBlobsOut struct {
	Cursor string   `json:"cursor,omitempty"`
	CIDs   []string `json:"cids"`
}

func (h *BlobHandlers) listBlobs(ctx context.Context, c *Call) (any, error) {
	did, err := c.DID("did", true)
	if err != nil {
		return nil, err
	}
	since, err := c.Str("since", false)
	if err != nil {
		return nil, err
	}
	if _, perr := syntax.ParseTID(since); since != "" && perr != nil {
		return nil, invalidRequest("since must be a valid tid: %q", since)
	}
	limit, cursor, err := blobPage(c)
	if err != nil {
		return nil, err
	}
	if _, err := available(ctx, h.Store, did, c.Viewer); err != nil {
		return nil, err
	}
	cids, err := h.Store.ListBlobs(ctx, did, since, cursor, limit)
	if err != nil {
		return nil, err
	}
	out := listBlobsOut{CIDs: make([]string, len(cids))}
	for i, b := range cids {
		out.CIDs[i] = b.String()
	}
	if len(cids) == limit {
		out.Cursor = out.CIDs[len(cids)-1]
	}
	return out, nil
}

// blobPage reads the limit (1 to 1000, default 500) and CID cursor of the
// blob listings.
func blobPage(c *Call) (int, string, error) {
	limit, err := c.Int("limit", 500, 1, 1000)
	if err != nil {
		return 0, "", err
	}
	cursor, err := c.CID("cursor", false)
	if err != nil || cursor == nil {
		return limit, "", err
	}
	return limit, cursor.String(), nil
}

type missingBlobOut struct {
	CID       string `json:"cid"`
	RecordURI string `json:"recordUri"`
}

type listMissingBlobsOut struct {
	Cursor string           `json:"cursor,omitempty"`
	Blobs  []missingBlobOut `json:"blobs"`
}

func (h *BlobHandlers) listMissingBlobs(ctx context.Context, c *Call) (any, error) {
	limit, cursor, err := blobPage(c)
	if err != nil {
		return nil, err
	}
	missing, err := h.Store.ListMissingBlobs(ctx, c.Viewer.DID, cursor, limit)
	if err != nil {
		return nil, err
	}
	out := listMissingBlobsOut{Blobs: make([]missingBlobOut, len(missing))}
	for i, m := range missing {
		out.Blobs[i] = missingBlobOut{CID: m.CID.String(), RecordURI: m.RecordURI}
	}
	if len(missing) == limit {
		out.Cursor = out.Blobs[len(missing)-1].CID
	}
	return out, nil
}

type blobLink struct {
	Link string `json:"$link"`
}

type blobRefOut struct {
	Type     string   `json:"$type"`
	Ref      blobLink `json:"ref"`
	MimeType string   `json:"mimeType"`
	Size     int64    `json:"size"`
}

type uploadBlobOut struct {
	Blob blobRefOut `json:"blob"`
}

// uploadBlob streams the request body into the blob store. The body is
// never held in memory; a Content-Length above the limit is refused before
// reading, and a body that grows past it while streaming is cut off, both
// with 413.
func (h *BlobHandlers) uploadBlob(w http.ResponseWriter, r *http.Request) {
	out, err := h.upload(w.Header(), r)
	if err != nil {
		writeError(w, r, h.Log, err)
		return
	}
	writeJSON(w, http.StatusOK, out)
}

func (h *BlobHandlers) upload(hdr http.Header, r *http.Request) (any, error) {
	ctx := r.Context()
	did, err := h.uploader(ctx, ViewerFrom(ctx))
	if err != nil {
		return nil, err
	}
	declared, err := uploadEncoding(r)
	if err != nil {
		return nil, err
	}
	if err := requireBlob(hdr, ViewerFrom(ctx), mediaType(declared)); err != nil {
		return nil, err
	}
	if r.ContentLength > h.Limit {
		return nil, payloadTooLarge()
	}
	body, err := decodedBody(r)
	if err != nil {
		return nil, err
	}
	defer body.Close()
	b, err := h.Blobs.Upload(ctx, did, declared, body, h.Limit)
	switch {
	case errors.Is(err, blobs.ErrTooLarge):
		return nil, payloadTooLarge()
	case errors.Is(err, blobs.ErrBodyRead):
		return nil, &Error{Status: http.StatusBadRequest, Name: "InvalidRequest", Message: "could not read the request body", Cause: err}
	case errors.Is(err, blobs.ErrTakenDown):
		return nil, invalidRequest("Blob has been takendown, cannot re-upload")
	case err != nil:
		return nil, err
	}
	// The type recorded may be sniffed rather than declared: check it too
	// (the refused upload stays a temporary blob, removed when it expires).
	if err := requireBlob(hdr, ViewerFrom(ctx), mediaType(b.MimeType)); err != nil {
		return nil, err
	}
	return uploadBlobOut{Blob: blobRefOut{Type: "blob", Ref: blobLink{b.CID.String()}, MimeType: b.MimeType, Size: b.Size}}, nil
}

func payloadTooLarge() *Error {
	return Errorf(http.StatusRequestEntityTooLarge, "PayloadTooLarge", "request entity too large")
}

// uploadEncoding checks that the request has a body and a Content-Type,
// and returns the Content-Type.
func uploadEncoding(r *http.Request) (string, error) {
	// No Content-Length and no chunked (HTTP/1) or streamed (HTTP/2,
	// length -1) body: nothing was sent. "Content-Length: 0" is an empty blob.
	if r.ContentLength == 0 && r.Header.Get("Content-Length") == "" {
		return "", invalidRequest("A request body is expected but none was provided")
	}
	ct := r.Header.Get("Content-Type")
	if ct == "" {
		return "", invalidRequest("Request encoding (Content-Type) required but not provided")
	}
	if _, _, err := mime.ParseMediaType(ct); err != nil {
		return "", invalidRequest("malformed Content-Type %q", ct)
	}
	return ct, nil
}

// decodedBody undoes the request's Content-Encoding (identity, gzip or
// deflate; others get 415), so the limit applies to the blob itself.
func decodedBody(r *http.Request) (io.ReadCloser, error) {
	enc := strings.ToLower(strings.TrimSpace(r.Header.Get("Content-Encoding")))
	var (
		zr  io.ReadCloser
		err error
	)
	switch enc {
	case "", "identity":
		return r.Body, nil
	case "gzip", "x-gzip":
		zr, err = gzip.NewReader(r.Body)
	case "deflate":
		zr, err = zlib.NewReader(r.Body)
	default:
		return nil, Errorf(http.StatusUnsupportedMediaType, "UnsupportedMediaType", "unsupported content-encoding %q", enc)
	}
	if err != nil {
		return nil, invalidRequest("request body is not valid %s", enc)
	}
	return zr, nil
}

// uploader returns the DID of an upload's account. The router has checked
// the credentials (an access token or a service-auth token); the account
// must be hosted here and not taken down. Deactivated accounts may upload:
// an account migrating in is deactivated until the move is done.
func (h *BlobHandlers) uploader(ctx context.Context, v *Viewer) (string, error) {
	if v == nil || v.DID == "" {
		return "", authRequired("Authentication Required")
	}
	acct, err := h.Store.GetAccount(ctx, v.DID)
	if errors.Is(err, store.ErrNotFound) {
		return "", Errorf(http.StatusUnauthorized, "InvalidToken", "account %s is not hosted here", v.DID)
	}
	if err != nil {
		return "", err
	}
	if acct.Status == store.StatusTakendown || acct.Status == store.StatusSuspended {
		return "", Errorf(http.StatusUnauthorized, "AccountTakedown", "Account has been taken down")
	}
	return acct.DID, nil
}
