package server_test

import (
	"flag"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/hearthpds/hearth/backend/lexicon"
	"github.com/hearthpds/hearth/backend/proxy"
	"github.com/hearthpds/hearth/internal/testpds"
)

var updateDocs = flag.Bool("update", false, "rewrite docs/xrpc.md")

// notApplicable are com.atproto methods a PDS does not serve, with why.
var notApplicable = map[string]string{
	"com.atproto.label.queryLabels":             "labeler service method; a PDS issues no labels",
	"com.atproto.label.subscribeLabels":         "labeler service method; a PDS issues no labels",
	"com.atproto.sync.getHostStatus":            "relay method (a relay reports on the hosts it crawls)",
	"com.atproto.sync.listHosts":                "relay method",
	"com.atproto.sync.listReposByCollection":    "relay/collection-index method",
	"com.atproto.sync.notifyOfUpdate":           "relay method (a PDS calls requestCrawl on relays instead)",
	"com.atproto.sync.requestCrawl":             "relay method; Hearth sends it to HEARTH_RELAYS",
	"com.atproto.temp.addReservedHandle":        "entryway method of a multi-PDS service",
	"com.atproto.temp.requestPhoneVerification": "phone verification is not used (describeServer says so)",
	"com.atproto.temp.fetchLabels":              "deprecated labeler method",
	"com.atproto.temp.checkHandleAvailability":  "entryway sign-up helper; createAccount answers HandleNotAvailable",
	"com.atproto.temp.dereferenceScope":         "OAuth permission-set method (arrives with the OAuth server)",
	"com.atproto.temp.revokeAccountCredentials": "entryway/operator method (arrives with OAuth and delegation)",
	"com.atproto.lexicon.resolveLexicon":        "lexicon resolution service method",
	"com.atproto.admin.updateAccountSigningKey": "entryway method (a PDS rotates its own accounts' keys through their DID documents)",
}

// referencePDSMethods are the methods the reference PDS serves (issue
// acceptance 7): each must be registered, never MethodNotImplemented.
var referencePDSMethods = strings.Fields(`
com.atproto.server.activateAccount com.atproto.server.checkAccountStatus com.atproto.server.confirmEmail
com.atproto.server.createAccount com.atproto.server.createAppPassword com.atproto.server.createInviteCode
com.atproto.server.createInviteCodes com.atproto.server.createSession com.atproto.server.deactivateAccount
com.atproto.server.deleteAccount com.atproto.server.deleteSession com.atproto.server.describeServer
com.atproto.server.getAccountInviteCodes com.atproto.server.getServiceAuth com.atproto.server.getSession
com.atproto.server.listAppPasswords com.atproto.server.refreshSession com.atproto.server.requestAccountDelete
com.atproto.server.requestEmailConfirmation com.atproto.server.requestEmailUpdate com.atproto.server.requestPasswordReset
com.atproto.server.reserveSigningKey com.atproto.server.resetPassword com.atproto.server.revokeAppPassword
com.atproto.server.updateEmail
com.atproto.repo.applyWrites com.atproto.repo.createRecord com.atproto.repo.deleteRecord com.atproto.repo.describeRepo
com.atproto.repo.getRecord com.atproto.repo.importRepo com.atproto.repo.listMissingBlobs com.atproto.repo.listRecords
com.atproto.repo.putRecord com.atproto.repo.uploadBlob
com.atproto.sync.getBlob com.atproto.sync.getBlocks com.atproto.sync.getLatestCommit com.atproto.sync.getRecord
com.atproto.sync.getRepo com.atproto.sync.getRepoStatus com.atproto.sync.listBlobs com.atproto.sync.listRepos
com.atproto.sync.subscribeRepos com.atproto.sync.getHead com.atproto.sync.getCheckout
com.atproto.identity.getRecommendedDidCredentials com.atproto.identity.requestPlcOperationSignature
com.atproto.identity.resolveHandle com.atproto.identity.signPlcOperation com.atproto.identity.submitPlcOperation
com.atproto.identity.updateHandle
com.atproto.admin.deleteAccount com.atproto.admin.disableAccountInvites com.atproto.admin.disableInviteCodes
com.atproto.admin.enableAccountInvites com.atproto.admin.getAccountInfo com.atproto.admin.getAccountInfos
com.atproto.admin.getInviteCodes com.atproto.admin.getSubjectStatus com.atproto.admin.searchAccounts
com.atproto.admin.sendEmail com.atproto.admin.updateAccountEmail com.atproto.admin.updateAccountHandle
com.atproto.admin.updateAccountPassword com.atproto.admin.updateSubjectStatus
com.atproto.moderation.createReport com.atproto.temp.checkSignupQueue
app.bsky.actor.getPreferences app.bsky.actor.putPreferences
`)

// TestReferenceMethodsRegistered checks that every method the reference
// PDS serves has a handler here.
func TestReferenceMethodsRegistered(t *testing.T) {
	pds := testpds.Start(t, testpds.Options{})
	for _, nsid := range referencePDSMethods {
		if !pds.Server.Router().Has(nsid) {
			t.Errorf("%s has no handler", nsid)
		}
	}
}

// TestXRPCCoverageDoc keeps docs/xrpc.md, generated from the embedded
// lexicons and the router, current (go test ./backend/server -run
// TestXRPCCoverageDoc -update rewrites it).
func TestXRPCCoverageDoc(t *testing.T) {
	pds := testpds.Start(t, testpds.Options{})
	var b strings.Builder
	b.WriteString("# XRPC coverage\n\nGenerated from the embedded lexicons and Hearth's router by `go test ./backend/server -run TestXRPCCoverageDoc -update`; do not edit by hand.\n\n")
	b.WriteString("Every `com.atproto.*` method, and what Hearth does with it: **implemented** here, **proxied** (forwarded with a service-auth token to the AppView or the service named in the `atproto-proxy` header), or **not applicable** to a PDS (with the reason).\n\n")
	b.WriteString("| method | kind | status |\n|---|---|---|\n")
	counts := map[string]int{}
	for _, m := range lexicon.Methods() {
		if !strings.HasPrefix(m.NSID, "com.atproto.") {
			continue
		}
		status := "proxied"
		switch reason, na := notApplicable[m.NSID]; {
		case pds.Server.Router().Has(m.NSID):
			status = "implemented"
		case na && reason != "":
			status = "not applicable: " + reason
		case proxy.Protected(m.NSID):
			t.Errorf("%s is protected (never forwarded) but has no handler and no reason here", m.NSID)
		}
		counts[strings.SplitN(status, ":", 2)[0]]++
		fmt.Fprintf(&b, "| `%s` | %s | %s |\n", m.NSID, m.Kind, status)
	}
	fmt.Fprintf(&b, "\n%d implemented, %d proxied, %d not applicable. `app.bsky.*` and `chat.bsky.*` methods are proxied, except `app.bsky.actor.getPreferences` and `putPreferences`, which are stored here.\n",
		counts["implemented"], counts["proxied"], counts["not applicable"])
	const path = "../../docs/xrpc.md"
	if *updateDocs {
		if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	have, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to generate it)", err)
	}
	if string(have) != b.String() {
		t.Fatalf("docs/xrpc.md is stale: run go test ./backend/server -run TestXRPCCoverageDoc -update")
	}
}

// isProcedure reports whether a method is a procedure (POST).
func isProcedure(nsid string) bool {
	m, ok := lexicon.LookupMethod(nsid)
	return ok && m.Kind == lexicon.KindProcedure
}
