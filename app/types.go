package app

import "time"

// Phase is where the app is in its start-up.
type Phase string

// Phases, in the order a first start goes through them.
const (
	// PhaseLocked: the master key is not open yet; the window asks for the
	// passphrase (there is no usable keychain).
	PhaseLocked Phase = "locked"
	// PhaseFirstRun: the PDS runs but hosts no account yet.
	PhaseFirstRun Phase = "firstRun"
	// PhaseImporting: the owner's account is being brought here (or the
	// import is paused waiting for missing blobs).
	PhaseImporting Phase = "importing"
	// PhaseReady: the owner's account exists.
	PhaseReady Phase = "ready"
)

// State is what the window needs to choose its page.
type State struct {
	Phase Phase `json:"phase"`
	// KeyLocation is where the master key lives: "keychain" or
	// "passphrase-file" ("" while locked).
	KeyLocation string `json:"keyLocation"`
	// PassphraseExists: locked with an existing passphrase file (unlock),
	// rather than none yet (choose a passphrase).
	PassphraseExists bool `json:"passphraseExists"`
	// KeychainProblem says, in plain words, why no keychain is used.
	KeychainProblem string `json:"keychainProblem,omitempty"`
	// StartError is the last failure to start the server, if any.
	StartError string       `json:"startError,omitempty"`
	Account    *AccountInfo `json:"account,omitempty"`
	Dev        bool         `json:"dev"`
}

// AccountInfo is the owner's account as the header shows it.
type AccountInfo struct {
	DID    string `json:"did"`
	Handle string `json:"handle"`
	Email  string `json:"email,omitempty"`
	// Status is "active", "deactivated", ...
	Status string `json:"status"`
	// Published: the DID is in the PLC directory (false while local-first).
	Published bool `json:"published"`
	// Imported: the account was brought from another PDS, which stays
	// authoritative until the user goes public.
	Imported bool `json:"imported"`
}

// ServerStatus is the Home page's server, identity and storage cards.
type ServerStatus struct {
	Running   bool      `json:"running"`
	URL       string    `json:"url"`
	Port      int       `json:"port"`
	StartedAt time.Time `json:"startedAt"`
	DataDir   string    `json:"dataDir"`
	Backend   string    `json:"backend"`
	// DiskBytes is the database and blob store's size on disk.
	DiskBytes    int64  `json:"diskBytes"`
	DatabaseSize int64  `json:"databaseBytes"`
	BlobBytes    int64  `json:"blobBytes"`
	BlobCount    int    `json:"blobCount"`
	PLCURL       string `json:"plcUrl"`
	// DIDDocPointsHere: the DID document names this server as the PDS.
	DIDDocPointsHere bool         `json:"didDocPointsHere"`
	DIDDocNote       string       `json:"didDocNote"`
	Account          *AccountInfo `json:"account,omitempty"`
	Network          string       `json:"network"`
	Error            string       `json:"error,omitempty"`
}

// CreateAccountInput is the first-run form.
type CreateAccountInput struct {
	// Handle is a full handle ("alice.test") or a name under the first
	// handle domain ("alice").
	Handle   string `json:"handle"`
	Email    string `json:"email"`
	Password string `json:"password"`
}

// Collection is a repo collection with its record count.
type Collection struct {
	Name  string `json:"name"`
	Count int64  `json:"count"`
}

// RecordSummary is a row of the records table.
type RecordSummary struct {
	URI        string `json:"uri"`
	Collection string `json:"collection"`
	RKey       string `json:"rkey"`
	CID        string `json:"cid"`
	CreatedAt  string `json:"createdAt,omitempty"`
	Preview    string `json:"preview"`
}

// RecordPage is a page of records.
type RecordPage struct {
	Records []RecordSummary `json:"records"`
	// Cursor continues the listing; "" at the end.
	Cursor string `json:"cursor"`
}

// RecordDetail is the record panel.
type RecordDetail struct {
	URI        string `json:"uri"`
	Collection string `json:"collection"`
	RKey       string `json:"rkey"`
	CID        string `json:"cid"`
	// JSON is the record pretty-printed.
	JSON string `json:"json"`
	// CommitRev is the rev of the commit that last wrote the record.
	CommitRev string `json:"commitRev"`
	// CommitCID is that commit's CID when it is still the repo's head or
	// among the recent commits ("" otherwise).
	CommitCID string `json:"commitCid,omitempty"`
}

// RecordRef is a written record.
type RecordRef struct {
	URI              string `json:"uri"`
	RKey             string `json:"rkey"`
	CID              string `json:"cid"`
	CommitCID        string `json:"commitCid"`
	CommitRev        string `json:"commitRev"`
	ValidationStatus string `json:"validationStatus,omitempty"`
}

// BlobInfo is a tile of the blobs gallery.
type BlobInfo struct {
	CID       string    `json:"cid"`
	MimeType  string    `json:"mimeType"`
	Size      int64     `json:"size"`
	CreatedAt time.Time `json:"createdAt"`
}

// BlobPage is a page of blobs.
type BlobPage struct {
	Blobs  []BlobInfo `json:"blobs"`
	Cursor string     `json:"cursor"`
}

// CommitOp is one operation of a commit.
type CommitOp struct {
	Action string `json:"action"` // create, update, delete
	Path   string `json:"path"`   // collection/rkey
	CID    string `json:"cid,omitempty"`
}

// CommitInfo is a row of the recent commits list.
type CommitInfo struct {
	Seq  int64      `json:"seq"`
	Rev  string     `json:"rev"`
	CID  string     `json:"cid"`
	Time time.Time  `json:"time"`
	Ops  []CommitOp `json:"ops"`
}

// LogLine is a line of the logs view (secrets redacted).
type LogLine struct {
	Time    time.Time `json:"time"`
	Level   string    `json:"level"`
	Message string    `json:"message"`
}

// Settings are what the Settings page shows and edits. Changes apply when
// the server restarts (the page offers to restart it).
type Settings struct {
	DataDir       string   `json:"dataDir"`
	Backend       string   `json:"backend"`
	Port          int      `json:"port"`
	PLCURL        string   `json:"plcUrl"`
	HandleDomains []string `json:"handleDomains"`
	Relays        []string `json:"relays"`
	LogLevel      string   `json:"logLevel"`
	// KeyLocation says where the master key lives, in plain words.
	KeyLocation string `json:"keyLocation"`
	Dev         bool   `json:"dev"`
}
