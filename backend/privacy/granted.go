package privacy

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/ipfs/go-cid"

	"github.com/hearthpds/hearth/backend/privacy/crypt"
	"github.com/hearthpds/hearth/backend/privacy/remote"
	"github.com/hearthpds/hearth/backend/store"
)

// ReadGranted reads what owner granted grantee ("shared with me"): the
// grantee is an account hosted here, whose identity this Service unlocks
// with the master key; owner may be hosted here (read in-process, through
// the same authorisation as a remote grantee) or on another PDS (reached
// through the Network with the grantee's service-auth JWTs). It returns
// every record of the collection, decrypted. An ungranted or revoked
// grantee gets ErrForbidden. Grantee's client side.
func (s *Service) ReadGranted(ctx context.Context, grantee, owner, collection string) ([]Record, error) {
	if err := checkCollection(collection); err != nil {
		return nil, err
	}
	id, err := s.unlock(ctx, grantee)
	if err != nil {
		return nil, err
	}
	src, err := s.grantedSource(ctx, grantee, owner, s.hostsCollection(ctx, owner, collection))
	if err != nil {
		return nil, err
	}
	c, err := remote.Open(ctx, src, id, grantee, owner, collection)
	if err != nil {
		return nil, grantedError(err)
	}
	rs, err := c.All(ctx)
	if err != nil {
		return nil, grantedError(err)
	}
	out := make([]Record, len(rs))
	for i, r := range rs {
		out[i] = Record{RKey: r.RKey, Value: r.Value, Epoch: r.Epoch, CID: r.CID, Rev: r.Rev}
	}
	return out, nil
}

// ReadGrantedBlob fetches and decrypts a blob of owner's that a granted
// record refers to (read it to io.EOF before trusting it). Grantee's
// client side.
func (s *Service) ReadGrantedBlob(ctx context.Context, grantee, owner string, ref BlobRef) (io.ReadCloser, error) {
	cs, err := s.st.ListPrivateCollections(ctx, owner)
	if err != nil {
		return nil, err
	}
	src, err := s.grantedSource(ctx, grantee, owner, len(cs) > 0)
	if err != nil {
		return nil, err
	}
	rc, err := remote.OpenBlob(ctx, src, owner, ref)
	return rc, grantedError(err)
}

// hostsCollection reports whether owner's collection is kept here.
func (s *Service) hostsCollection(ctx context.Context, owner, collection string) bool {
	_, err := s.st.CurrentKeyEpoch(ctx, owner, collection)
	return err == nil
}

// grantedSource returns where grantee reads owner's data: this Service
// when the data is here, else owner's PDS.
func (s *Service) grantedSource(ctx context.Context, grantee, owner string, local bool) (remote.Source, error) {
	if local {
		return localSource{s: s, requester: grantee}, nil
	}
	if s.net == nil {
		return nil, fmt.Errorf("%w: %s keeps no private data here and no network is configured", store.ErrNotFound, owner)
	}
	src, err := s.net.Source(ctx, grantee, owner)
	if err != nil {
		return nil, fmt.Errorf("privacy: reach the PDS of %s: %w", owner, err)
	}
	return src, nil
}

// grantedError makes a PDS's refusal ErrForbidden, as a local one is.
func grantedError(err error) error {
	if err != nil && errors.Is(err, remote.ErrForbidden) && !errors.Is(err, ErrForbidden) {
		return fmt.Errorf("%w: %w", ErrForbidden, err)
	}
	return err
}

// localSource is a remote.Source served by this Service in-process, as
// requester: the same authorisation a grantee's service-auth call gets.
type localSource struct {
	s         *Service
	requester string
}

func (l localSource) GrantKeys(ctx context.Context, owner, collection string) ([]crypt.SealedGrant, error) {
	return l.s.GrantKeys(ctx, l.requester, owner, collection)
}

func (l localSource) Envelope(ctx context.Context, owner, collection string, rkeyMAC []byte) (remote.Envelope, error) {
	r, err := l.s.GetEnvelope(ctx, l.requester, owner, collection, rkeyMAC)
	if err != nil {
		return remote.Envelope{}, err
	}
	return envelopeOf(r), nil
}

func (l localSource) Envelopes(ctx context.Context, owner, collection string, after []byte, limit int, maxEpoch uint64) ([]remote.Envelope, error) {
	rs, err := l.s.ListEnvelopesWith(ctx, l.requester, owner, collection, store.PrivateListOptions{After: after, Limit: limit, MaxEpoch: maxEpoch})
	if err != nil {
		return nil, err
	}
	out := make([]remote.Envelope, len(rs))
	for i, r := range rs {
		out[i] = envelopeOf(r)
	}
	return out, nil
}

func (l localSource) Blob(ctx context.Context, owner string, c cid.Cid) (io.ReadCloser, error) {
	return l.s.OpenBlob(ctx, l.requester, owner, c)
}

// envelopeOf is a stored record as a Source returns it.
func envelopeOf(r store.PrivateRecord) remote.Envelope {
	return remote.Envelope{RKeyMAC: r.RKeyMAC, Epoch: r.Epoch, CID: r.CID.String(), Rev: r.Rev, Envelope: r.Envelope}
}
