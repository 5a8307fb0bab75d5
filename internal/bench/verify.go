package bench

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/url"
	"strings"

	"github.com/bluesky-social/indigo/atproto/atcrypto"
	"github.com/bluesky-social/indigo/atproto/repo"
	"github.com/bluesky-social/indigo/atproto/repo/mst"
	"github.com/ipfs/go-cid"
	"github.com/ipld/go-car"
)

// errLostWrites is the failure of a repo that lacks acknowledged writes.
var errLostWrites = errors.New("acknowledged writes missing from the signed repo")

// repoCheck is what verifying an exported repo found.
type repoCheck struct {
	Bytes      int
	Blocks     int
	Records    int
	DeadBlocks int      // blocks in the CAR that the commit does not reach
	Missing    []string // acknowledged rkeys absent from the repo or with another CID
}

// fetchRepo downloads the repo of did with com.atproto.sync.getRepo. The
// returned bytes are c's buffer, valid until its next call.
func fetchRepo(ctx context.Context, c *client, did string) ([]byte, error) {
	return c.call(ctx, request{method: "GET", nsid: "com.atproto.sync.getRepo", query: "did=" + url.QueryEscape(did)})
}

// signingKey returns the atproto signing key of did as published in the
// DID document that com.atproto.repo.describeRepo returns.
func signingKey(ctx context.Context, c *client, did string) (atcrypto.PublicKey, error) {
	var out struct {
		DIDDoc struct {
			VerificationMethod []struct {
				ID                 string `json:"id"`
				Type               string `json:"type"`
				PublicKeyMultibase string `json:"publicKeyMultibase"`
			} `json:"verificationMethod"`
		} `json:"didDoc"`
	}
	req := request{method: "GET", nsid: "com.atproto.repo.describeRepo", query: "repo=" + url.QueryEscape(did)}
	if err := c.callJSON(ctx, req, &out); err != nil {
		return nil, err
	}
	for _, vm := range out.DIDDoc.VerificationMethod {
		if vm.ID != "#atproto" && vm.ID != did+"#atproto" {
			continue
		}
		if vm.Type != "Multikey" {
			return nil, fmt.Errorf("DID document of %s: #atproto key has type %q, not Multikey", did, vm.Type)
		}
		key, err := atcrypto.ParsePublicMultibase(vm.PublicKeyMultibase)
		if err != nil {
			return nil, fmt.Errorf("DID document of %s: #atproto key: %w", did, err)
		}
		return key, nil
	}
	return nil, fmt.Errorf("describeRepo's DID document of %s has no #atproto verification method", did)
}

// verifyRepo loads the CAR of did's repo, checks the commit's DID and its
// signature against key, that the MST is complete and matches the commit,
// and that every acknowledged write of collection is in it with its CID.
// A repo missing writes returns errLostWrites, with the rkeys in Missing.
func verifyRepo(ctx context.Context, carBytes []byte, did string, key atcrypto.PublicKey, collection string, acks []ack) (repoCheck, error) {
	chk := repoCheck{Bytes: len(carBytes)}
	commit, r, err := repo.LoadRepoFromCAR(ctx, bytes.NewReader(carBytes))
	if err != nil {
		return chk, fmt.Errorf("load the repo CAR: %w", err)
	}
	if commit.DID != did {
		return chk, fmt.Errorf("the repo's commit is for %s, not %s", commit.DID, did)
	}
	if err := commit.VerifySignature(key); err != nil {
		return chk, fmt.Errorf("commit signature does not verify against the DID document's key: %w", err)
	}
	if r.MST.IsPartial() {
		return chk, errors.New("the CAR lacks MST nodes: the tree is partial")
	}
	root, err := r.MST.RootCID()
	if err != nil || !root.Equals(commit.Data) {
		return chk, fmt.Errorf("the MST's root %v is not the commit's data %s (%v)", root, commit.Data, err)
	}
	if err := countBlocks(carBytes, &r.MST, &chk); err != nil {
		return chk, err
	}
	for _, a := range acks {
		got, err := r.MST.Get([]byte(collection + "/" + a.RKey))
		if err != nil || got == nil || got.String() != a.CID {
			chk.Missing = append(chk.Missing, a.RKey)
		}
	}
	if len(chk.Missing) > 0 {
		return chk, fmt.Errorf("%w: %d of %d (first: at://%s/%s/%s)", errLostWrites,
			len(chk.Missing), len(acks), did, collection, chk.Missing[0])
	}
	return chk, nil
}

// countBlocks counts the CAR's blocks and records, and the blocks that
// neither the commit, an MST node nor a record is: export garbage.
func countBlocks(carBytes []byte, tree *mst.Tree, chk *repoCheck) error {
	cr, err := car.NewCarReader(bytes.NewReader(carBytes))
	if err != nil {
		return fmt.Errorf("read the repo CAR: %w", err)
	}
	live := map[cid.Cid]bool{cr.Header.Roots[0]: true}
	markNodes(tree.Root, live)
	var missingRecords int
	inCAR := map[cid.Cid]bool{}
	for {
		blk, err := cr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return fmt.Errorf("read the repo CAR: %w", err)
		}
		inCAR[blk.Cid()] = true
		chk.Blocks++
	}
	err = tree.Walk(func(_ []byte, v cid.Cid) error {
		chk.Records++
		live[v] = true
		if !inCAR[v] {
			missingRecords++
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("walk the MST: %w", err)
	}
	if missingRecords > 0 {
		return fmt.Errorf("the CAR lacks %d record blocks", missingRecords)
	}
	for c := range inCAR {
		if !live[c] {
			chk.DeadBlocks++
		}
	}
	return nil
}

func markNodes(n *mst.Node, live map[cid.Cid]bool) {
	if n == nil {
		return
	}
	if n.CID != nil {
		live[*n.CID] = true
	}
	for _, e := range n.Entries {
		markNodes(e.Child, live)
	}
}

// verifyWrites fetches and verifies the repo of acct against acks.
func verifyWrites(ctx context.Context, c *client, did string, acks []ack) (repoCheck, error) {
	key, err := signingKey(ctx, c, did)
	if err != nil {
		return repoCheck{}, fmt.Errorf("cannot check the commit signature: %w", err)
	}
	b, err := fetchRepo(ctx, c, did)
	if err != nil {
		return repoCheck{}, err
	}
	return verifyRepo(ctx, b, did, key, postCollection, acks)
}

// shortList renders up to 5 items of a list.
func shortList(items []string) string {
	if len(items) <= 5 {
		return strings.Join(items, ", ")
	}
	return strings.Join(items[:5], ", ") + fmt.Sprintf(", … (%d more)", len(items)-5)
}
