package main

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"sort"
	"strings"
)

// AWS Signature Version 4 for S3, written out with crypto/hmac and
// crypto/sha256 (an AWS SDK would not fit a small wasip1 reactor):
// https://docs.aws.amazon.com/AmazonS3/latest/API/sig-v4-header-based-auth.html

const (
	sigAlgorithm = "AWS4-HMAC-SHA256"
	amzDateForm  = "20060102T150405Z"
)

// signer holds the credentials and region requests are signed for.
type signer struct {
	accessKeyID, secretAccessKey, region string
}

// signedRequest is what a signature covers.
type signedRequest struct {
	method  string
	host    string            // the Host header as sent (host[:port])
	path    string            // the URI-encoded path, as sent
	query   map[string]string // names and values, not encoded
	headers map[string]string // lower-case names (host apart), values as sent
	payload string            // hex SHA-256 of the body: x-amz-content-sha256
}

// authorization returns the Authorization header of r signed at amzDate
// (YYYYMMDDTHHMMSSZ, the request's x-amz-date).
func (s signer) authorization(r signedRequest, amzDate string) string {
	canon, signed := canonicalRequest(r)
	scope := amzDate[:8] + "/" + s.region + "/s3/aws4_request"
	key := signingKey(s.secretAccessKey, amzDate[:8], s.region, "s3")
	sig := hex.EncodeToString(hmacSHA256(key, []byte(stringToSign(amzDate, scope, canon))))
	return sigAlgorithm + " Credential=" + s.accessKeyID + "/" + scope + ",SignedHeaders=" + signed + ",Signature=" + sig
}

// canonicalRequest returns the canonical form of r and its signed headers
// list.
func canonicalRequest(r signedRequest) (canon, signedHeaders string) {
	values := map[string]string{"host": r.host}
	for k, v := range r.headers {
		values[strings.ToLower(k)] = strings.Join(strings.Fields(v), " ")
	}
	names := make([]string, 0, len(values))
	for k := range values {
		names = append(names, k)
	}
	sort.Strings(names)
	var b strings.Builder
	b.WriteString(r.method + "\n" + r.path + "\n" + canonicalQuery(r.query) + "\n")
	for _, k := range names {
		b.WriteString(k + ":" + values[k] + "\n")
	}
	signedHeaders = strings.Join(names, ";")
	b.WriteString("\n" + signedHeaders + "\n" + r.payload)
	return b.String(), signedHeaders
}

// canonicalQuery encodes q sorted by name (an empty value keeps its "=").
func canonicalQuery(q map[string]string) string {
	pairs := make([]string, 0, len(q))
	for k, v := range q {
		pairs = append(pairs, uriEncode(k, true)+"="+uriEncode(v, true))
	}
	sort.Strings(pairs)
	return strings.Join(pairs, "&")
}

func stringToSign(amzDate, scope, canon string) string {
	return sigAlgorithm + "\n" + amzDate + "\n" + scope + "\n" + hexSHA256([]byte(canon))
}

// signingKey derives the day's key: HMAC chained over date, region,
// service and "aws4_request".
func signingKey(secret, date, region, service string) []byte {
	k := hmacSHA256([]byte("AWS4"+secret), []byte(date))
	k = hmacSHA256(k, []byte(region))
	k = hmacSHA256(k, []byte(service))
	return hmacSHA256(k, []byte("aws4_request"))
}

func hmacSHA256(key, data []byte) []byte {
	m := hmac.New(sha256.New, key)
	m.Write(data)
	return m.Sum(nil)
}

func hexSHA256(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// uriEncode is SigV4's UriEncode: every byte but A-Z a-z 0-9 - . _ ~ as
// %XX (upper-case hex); a slash too when encodeSlash (object keys in a
// path keep theirs).
func uriEncode(s string, encodeSlash bool) string {
	const hexDigits = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case 'A' <= c && c <= 'Z', 'a' <= c && c <= 'z', '0' <= c && c <= '9', c == '-', c == '.', c == '_', c == '~':
			b.WriteByte(c)
		case c == '/' && !encodeSlash:
			b.WriteByte(c)
		default:
			b.WriteByte('%')
			b.WriteByte(hexDigits[c>>4])
			b.WriteByte(hexDigits[c&15])
		}
	}
	return b.String()
}
