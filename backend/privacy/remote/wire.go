package remote

// Inputs and outputs of the owner's procedures, as the lexicons in
// backend/lexicon/hearth/dev/hearthpds/private/ define them. Binary fields
// are base64url without padding (B64).

// PutRecordInput is dev.hearthpds.private.putRecord's input.
type PutRecordInput struct {
	Collection string `json:"collection"`
	RKeyMAC    string `json:"rkeyMac"`
	Envelope   string `json:"envelope"`
}

// DeleteRecordInput is dev.hearthpds.private.deleteRecord's input.
type DeleteRecordInput struct {
	Collection string `json:"collection"`
	RKeyMAC    string `json:"rkeyMac"`
}

// GrantAccessInput is dev.hearthpds.private.grantAccess's input: the
// epoch keys the owner's client sealed to the grantee's published key.
type GrantAccessInput struct {
	Collection   string            `json:"collection"`
	Grantee      string            `json:"grantee"`
	GranteeKeyID string            `json:"granteeKeyId"`
	Grants       []SealedGrantView `json:"grants"`
}

// GrantView is a grant's metadata (listGrants, grantAccess): never its
// sealed bytes.
type GrantView struct {
	Collection   string `json:"collection"`
	Epoch        uint64 `json:"epoch"`
	Grantee      string `json:"grantee"`
	GranteeKeyID string `json:"granteeKeyId"`
	KEMID        uint16 `json:"kemId"`
	CreatedAt    string `json:"createdAt"`
	RevokedAt    string `json:"revokedAt,omitempty"`
}

// EpochGrantView is the new epoch's key sealed to one reader (the owner,
// or a remaining grantee).
type EpochGrantView struct {
	Grantee      string `json:"grantee"`
	GranteeKeyID string `json:"granteeKeyId"`
	Sealed       string `json:"sealed"`
}

// NewEpochInput is the input of dev.hearthpds.private.revokeAccess
// (Grantee set) and rotateKey (Grantee empty): the new epoch and its key
// sealed to the owner and to exactly the grantees that remain.
type NewEpochInput struct {
	Collection string           `json:"collection"`
	Grantee    string           `json:"grantee,omitempty"`
	Epoch      uint64           `json:"epoch"`
	Grants     []EpochGrantView `json:"grants"`
	// Reencrypt announces that the client re-encrypts the older records
	// (with reencryptRecords); the answer then says whether any is left.
	Reencrypt bool `json:"reencrypt,omitempty"`
}

// NewEpochOutput answers revokeAccess and rotateKey.
type NewEpochOutput struct {
	Epoch    uint64 `json:"epoch"`
	Resealed int    `json:"resealed"`
	Revoked  int    `json:"revoked"`
	// Pending: records remain at an older epoch (set when Reencrypt was
	// asked for).
	Pending bool `json:"pending"`
}

// ReencryptedView is a record re-sealed at the current epoch.
type ReencryptedView struct {
	RKeyMAC   string `json:"rkeyMac"`
	PrevEpoch uint64 `json:"prevEpoch"`
	Envelope  string `json:"envelope"`
}

// ReencryptInput is dev.hearthpds.private.reencryptRecords's input.
type ReencryptInput struct {
	Collection string            `json:"collection"`
	Records    []ReencryptedView `json:"records"`
}

// ReencryptOutput answers reencryptRecords.
type ReencryptOutput struct {
	Reencrypted int  `json:"reencrypted"`
	Pending     bool `json:"pending"`
}
