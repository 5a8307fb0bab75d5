package identity

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/bluesky-social/indigo/atproto/atcrypto"
	"github.com/bluesky-social/indigo/atproto/syntax"
)

// Names atproto gives to entries of a did:plc document.
const (
	// KeyIDAtproto is the verification method holding the repo signing key.
	KeyIDAtproto = "atproto"
	// ServiceIDPDS is the service entry naming the account's PDS.
	ServiceIDPDS = "atproto_pds"
	// ServiceTypePDS is the type of the ServiceIDPDS entry.
	ServiceTypePDS = "AtprotoPersonalDataServer"
)

// Limits the PLC directory enforces on an operation (plc.directory's
// assertValidIncomingOp).
const (
	maxRotationKeys   = 5
	maxAlsoKnownAs    = 10
	maxAlsoKnownAsLen = 256
	maxServices       = 10
	maxIDLen          = 32
	maxServiceTypeLen = 256
	maxEndpointLen    = 512
)

// OpData is what a did:plc operation says about a DID, and so what its DID
// document is made from. It is the part of an operation a caller edits;
// type, prev and sig are managed by NewGenesis and NewUpdate.
//
// RotationKeys are did:key strings in priority order: a key earlier in the
// list may, within 72 hours, override (nullify) an operation signed by a
// later one.
type OpData struct {
	RotationKeys        []string             `json:"rotationKeys"`
	VerificationMethods map[string]string    `json:"verificationMethods"`
	AlsoKnownAs         []string             `json:"alsoKnownAs"`
	Services            map[string]OpService `json:"services"`
}

// OpService is one service entry of an operation.
type OpService struct {
	Type     string `json:"type"`
	Endpoint string `json:"endpoint"`
}

// Clone returns a deep copy of d, with non-nil (possibly empty) fields.
func (d OpData) Clone() OpData {
	return OpData{
		RotationKeys:        append([]string{}, d.RotationKeys...),
		VerificationMethods: cloneMap(d.VerificationMethods),
		AlsoKnownAs:         append([]string{}, d.AlsoKnownAs...),
		Services:            cloneMap(d.Services),
	}
}

func cloneMap[V any](m map[string]V) map[string]V {
	out := make(map[string]V, len(m))
	maps.Copy(out, m)
	return out
}

// Handle returns the first at:// entry of AlsoKnownAs as a handle, if it
// parses as one.
func (d OpData) Handle() (syntax.Handle, bool) {
	for _, aka := range d.AlsoKnownAs {
		if rest, ok := strings.CutPrefix(aka, "at://"); ok {
			h, err := syntax.ParseHandle(rest)
			return h, err == nil
		}
	}
	return "", false
}

// SetHandle replaces the first at:// entry of AlsoKnownAs with the handle,
// or puts the handle first when there is none, as the reference
// implementation does.
func (d *OpData) SetHandle(h syntax.Handle) {
	uri := HandleURI(h)
	for i, aka := range d.AlsoKnownAs {
		if strings.HasPrefix(aka, "at://") {
			d.AlsoKnownAs[i] = uri
			return
		}
	}
	d.AlsoKnownAs = append([]string{uri}, d.AlsoKnownAs...)
}

// PDSEndpoint returns the endpoint of the atproto_pds service, or "".
func (d OpData) PDSEndpoint() string {
	return d.Services[ServiceIDPDS].Endpoint
}

// SetPDSEndpoint sets the atproto_pds service to the endpoint.
func (d *OpData) SetPDSEndpoint(endpoint string) {
	if d.Services == nil {
		d.Services = map[string]OpService{}
	}
	d.Services[ServiceIDPDS] = OpService{Type: ServiceTypePDS, Endpoint: endpoint}
}

// SigningKey returns the did:key of the atproto verification method, or "".
func (d OpData) SigningKey() string {
	return d.VerificationMethods[KeyIDAtproto]
}

// SetSigningKey sets the atproto verification method to the key.
func (d *OpData) SetSigningKey(pub atcrypto.PublicKey) {
	if d.VerificationMethods == nil {
		d.VerificationMethods = map[string]string{}
	}
	d.VerificationMethods[KeyIDAtproto] = pub.DIDKey()
}

// Validate checks d against the rules a PLC directory applies to an
// incoming operation: keys are did:keys of a supported curve, and the
// number and length of entries stay within the directory's limits. Errors
// match ErrInvalidOperation.
func (d OpData) Validate() error {
	checks := []func() error{d.validateRotationKeys, d.validateAlsoKnownAs, d.validateServices, d.validateMethods}
	for _, check := range checks {
		if err := check(); err != nil {
			return fmt.Errorf("%w: %w", ErrInvalidOperation, err)
		}
	}
	return nil
}

func (d OpData) validateRotationKeys() error {
	if len(d.RotationKeys) > maxRotationKeys {
		return fmt.Errorf("too many rotation keys (max %d)", maxRotationKeys)
	}
	for _, k := range d.RotationKeys {
		if _, err := atcrypto.ParsePublicDIDKey(k); err != nil {
			return fmt.Errorf("invalid rotation key %q: %w", k, err)
		}
	}
	return nil
}

func (d OpData) validateAlsoKnownAs() error {
	if len(d.AlsoKnownAs) > maxAlsoKnownAs {
		return fmt.Errorf("too many alsoKnownAs entries (max %d)", maxAlsoKnownAs)
	}
	for i, aka := range d.AlsoKnownAs {
		if len(aka) > maxAlsoKnownAsLen {
			return fmt.Errorf("alsoKnownAs entry too long (max %d): %s", maxAlsoKnownAsLen, aka)
		}
		if slices.Contains(d.AlsoKnownAs[:i], aka) {
			return fmt.Errorf("duplicate alsoKnownAs entry: %s", aka)
		}
	}
	return nil
}

func (d OpData) validateServices() error {
	if len(d.Services) > maxServices {
		return fmt.Errorf("too many services (max %d)", maxServices)
	}
	for id, s := range d.Services {
		switch {
		case len(id) > maxIDLen:
			return fmt.Errorf("service id too long (max %d): %s", maxIDLen, id)
		case len(s.Type) > maxServiceTypeLen:
			return fmt.Errorf("service type too long (max %d)", maxServiceTypeLen)
		case len(s.Endpoint) > maxEndpointLen:
			return fmt.Errorf("service endpoint too long (max %d)", maxEndpointLen)
		}
	}
	return nil
}

func (d OpData) validateMethods() error {
	for id, k := range d.VerificationMethods {
		if len(id) > maxIDLen {
			return fmt.Errorf("verification method id too long (max %d): %s", maxIDLen, id)
		}
		if _, err := atcrypto.ParsePublicDIDKey(k); err != nil {
			return fmt.Errorf("invalid verification method key %q: %w", k, err)
		}
	}
	return nil
}
