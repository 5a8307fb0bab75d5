package main

import (
	"crypto/md5"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/xml"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	pds "github.com/hearthpds/hearth/plugins/sdk/go"
)

// client speaks the few S3 calls a mirror needs, path-style
// (<endpoint>/<bucket>/<key>), every request signed with SigV4.
type client struct {
	sig    signer
	scheme string
	host   string // host[:port]
	base   string // the endpoint's own path, URI-encoded, without a trailing slash
	bucket string
	now    func() time.Time
}

func newClient(c config) (*client, error) {
	u, err := url.Parse(c.Endpoint)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("config endpoint %q is not an http(s) URL", c.Endpoint)
	}
	return &client{sig: signer{c.AccessKeyID, c.SecretAccessKey, c.Region}, scheme: u.Scheme, host: u.Host,
		base: uriEncode(strings.TrimSuffix(u.Path, "/"), false), bucket: c.Bucket, now: time.Now}, nil
}

// errS3 wraps an S3 error answer.
var errS3 = errors.New("s3")

// do sends one signed request for key and returns the answer; an answer
// other than 2xx (or S3's 200 carrying an <Error>) is an error.
func (c *client) do(method, key string, query map[string]string, body []byte, headers map[string]string) (*pds.HTTPResponse, error) {
	payload := sha256.Sum256(body)
	h := map[string]string{"x-amz-date": c.now().UTC().Format(amzDateForm), "x-amz-content-sha256": hex.EncodeToString(payload[:])}
	for k, v := range headers {
		h[strings.ToLower(k)] = v
	}
	r := signedRequest{method: method, host: c.host, path: c.base + "/" + uriEncode(c.bucket, true) + "/" + uriEncode(key, false),
		query: query, headers: h, payload: h["x-amz-content-sha256"]}
	sent := map[string]string{"Authorization": c.sig.authorization(r, h["x-amz-date"])}
	for k, v := range h {
		sent[k] = v
	}
	u := c.scheme + "://" + c.host + r.path
	if len(query) > 0 {
		u += "?" + canonicalQuery(query)
	}
	resp, err := pds.Fetch(pds.HTTPRequest{Method: method, URL: u, Headers: sent, Body: body})
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w", method, key, err)
	}
	if resp.Status/100 != 2 || strings.Contains(string(resp.Body), "<Error>") {
		return nil, fmt.Errorf("%w: %s %s: %d %s", errS3, method, key, resp.Status, s3Error(resp.Body))
	}
	return resp, nil
}

// s3Error summarizes an S3 error document.
func s3Error(body []byte) string {
	var e struct{ Code, Message string }
	if xml.Unmarshal(body, &e) != nil || e.Code == "" {
		return strings.TrimSpace(string(body[:min(len(body), 200)]))
	}
	return e.Code + ": " + e.Message
}

// md5Headers are the Content-MD5 header of body (S3 checks the bytes it
// got) and the part's ETag as S3 computes it: the quoted hex MD5.
func md5Headers(body []byte) (contentMD5, etag string) {
	sum := md5.Sum(body)
	return base64.StdEncoding.EncodeToString(sum[:]), `"` + hex.EncodeToString(sum[:]) + `"`
}

// putObject stores a whole object.
func (c *client) putObject(key, contentType string, body []byte) error {
	contentMD5, _ := md5Headers(body)
	_, err := c.do("PUT", key, nil, body, map[string]string{"content-type": contentType, "content-md5": contentMD5})
	return err
}

// createMultipart starts a multipart upload and returns its id.
func (c *client) createMultipart(key, contentType string) (string, error) {
	resp, err := c.do("POST", key, map[string]string{"uploads": ""}, nil, map[string]string{"content-type": contentType})
	if err != nil {
		return "", err
	}
	out := resp.Body
	var res struct{ UploadId string } //nolint:revive // S3's element name
	if err := xml.Unmarshal(out, &res); err != nil || res.UploadId == "" {
		return "", fmt.Errorf("%w: CreateMultipartUpload %s answered no UploadId: %q", errS3, key, out)
	}
	return res.UploadId, nil
}

// uploadPart sends part n (from 1) and returns its ETag: the one S3
// answers with, or, from a store that sends none, the part's quoted MD5
// (what S3 computes for unencrypted and SSE-S3 objects).
func (c *client) uploadPart(key, id string, n int, body []byte) (string, error) {
	contentMD5, etag := md5Headers(body)
	q := map[string]string{"partNumber": strconv.Itoa(n), "uploadId": id}
	resp, err := c.do("PUT", key, q, body, map[string]string{"content-md5": contentMD5})
	if err != nil {
		return "", err
	}
	if sent := resp.Header("ETag"); sent != "" {
		etag = sent
	}
	return etag, nil
}

// completeMultipart assembles the parts, whose ETags are in order.
func (c *client) completeMultipart(key, id string, etags []string) error {
	var b strings.Builder
	b.WriteString("<CompleteMultipartUpload>")
	for i, e := range etags {
		fmt.Fprintf(&b, "<Part><PartNumber>%d</PartNumber><ETag>%s</ETag></Part>", i+1, e)
	}
	b.WriteString("</CompleteMultipartUpload>")
	_, err := c.do("POST", key, map[string]string{"uploadId": id}, []byte(b.String()), map[string]string{"content-type": "application/xml"})
	return err
}

// abortMultipart drops an unfinished upload's parts.
func (c *client) abortMultipart(key, id string) error {
	_, err := c.do("DELETE", key, map[string]string{"uploadId": id}, nil, nil)
	return err
}
