package identity

import (
	"fmt"
	"slices"
	"strings"

	"github.com/bluesky-social/indigo/atproto/atcrypto"
	"github.com/bluesky-social/indigo/atproto/syntax"
)

// JSON-LD contexts a did:plc document declares: the two base ones, then one
// per key curve in use.
const (
	contextDID       = "https://www.w3.org/ns/did/v1"
	contextMultikey  = "https://w3id.org/security/multikey/v1"
	contextSecp256k1 = "https://w3id.org/security/suites/secp256k1-2019/v1"
	contextP256      = "https://w3id.org/security/suites/ecdsa-2019/v1"
)

// Document is a DID document in the shape plc.directory serves at
// GET /<did>.
type Document struct {
	Context            []string                `json:"@context"`
	ID                 string                  `json:"id"`
	AlsoKnownAs        []string                `json:"alsoKnownAs"`
	VerificationMethod []DocVerificationMethod `json:"verificationMethod"`
	Service            []DocService            `json:"service"`
}

// DocVerificationMethod is a public key in a Document. The directory gives
// the full DID plus fragment as ID ("did:plc:…#atproto") and type Multikey.
type DocVerificationMethod struct {
	ID                 string `json:"id"`
	Type               string `json:"type"`
	Controller         string `json:"controller"`
	PublicKeyMultibase string `json:"publicKeyMultibase"`
}

// DocService is a service endpoint in a Document. The directory gives only
// the fragment as ID ("#atproto_pds").
type DocService struct {
	ID              string `json:"id"`
	Type            string `json:"type"`
	ServiceEndpoint string `json:"serviceEndpoint"`
}

// FormatDocument renders the DID document the directory serves for a DID
// whose latest operation carries d, as @did-plc/lib's formatDidDoc does.
//
// The real directory lists entries in the order of the operation's JSON
// keys; Go maps have none, so this lists the atproto key and the
// atproto_pds service first and the rest by name (clients that read
// service[0] see the PDS).
func FormatDocument(did syntax.DID, d OpData) (Document, error) {
	doc := Document{
		Context:            []string{contextDID, contextMultikey},
		ID:                 did.String(),
		AlsoKnownAs:        append([]string{}, d.AlsoKnownAs...),
		VerificationMethod: []DocVerificationMethod{},
		Service:            []DocService{},
	}
	for _, id := range orderedKeys(d.VerificationMethods, KeyIDAtproto) {
		vm, ctx, err := verificationMethod(did, id, d.VerificationMethods[id])
		if err != nil {
			return Document{}, err
		}
		if !slices.Contains(doc.Context, ctx) {
			doc.Context = append(doc.Context, ctx)
		}
		doc.VerificationMethod = append(doc.VerificationMethod, vm)
	}
	for _, id := range orderedKeys(d.Services, ServiceIDPDS) {
		s := d.Services[id]
		doc.Service = append(doc.Service, DocService{ID: "#" + id, Type: s.Type, ServiceEndpoint: s.Endpoint})
	}
	return doc, nil
}

func verificationMethod(did syntax.DID, id, didKey string) (DocVerificationMethod, string, error) {
	pub, err := atcrypto.ParsePublicDIDKey(didKey)
	if err != nil {
		return DocVerificationMethod{}, "", fmt.Errorf("%w: verification method %q: %w", ErrInvalidOperation, id, err)
	}
	ctx := contextSecp256k1
	if _, ok := pub.(*atcrypto.PublicKeyP256); ok {
		ctx = contextP256
	}
	vm := DocVerificationMethod{
		ID:                 did.String() + "#" + id,
		Type:               "Multikey",
		Controller:         did.String(),
		PublicKeyMultibase: strings.TrimPrefix(didKey, "did:key:"),
	}
	return vm, ctx, nil
}

// orderedKeys returns m's keys with first (if present) ahead of the rest,
// which are sorted.
func orderedKeys[V any](m map[string]V, first string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		if k != first {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	if _, ok := m[first]; ok {
		keys = append([]string{first}, keys...)
	}
	return keys
}
