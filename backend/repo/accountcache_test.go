package repo_test

import (
	"context"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/hearthpds/hearth/backend/repo"
	"github.com/hearthpds/hearth/backend/store"
	"github.com/hearthpds/hearth/backend/store/storetest"
	"github.com/hearthpds/hearth/internal/testdb"
)

// accountWriters are the store methods that may change an accounts row;
// the caching store bumps the accounts version after each.
var accountWriters = names(`
	CreateAccount UpdateHandle UpdateEmail ConfirmEmail UpdatePassword SetAccountStatus
	DeleteAccount SetTakedown SetInvitesDisabled UpdateSigningKey ImportRepo
`)

// accountNeutral are the store methods that never change an accounts row
// (OAuth, delegation, private records and plugins keep their own tables).
var accountNeutral = names(`
	GetAccount GetAccountByHandle GetAccountByEmail ListAccounts CreateRefreshToken
	GetRefreshToken RotateRefreshToken DeleteRefreshToken DeleteAccountRefreshTokens
	DeleteExpiredRefreshTokens CreateAppPassword ListAppPasswords GetAppPasswordByHash
	RevokeAppPassword CreateInviteCodes GetInviteCode ListInviteCodes DisableInviteCodes
	GetRepoRoot ListRepoRoots GetBlock GetBlocks CountBlocks ForEachBlock ApplyCommits
	GetRecord ListRecords ListCollections PutBlob GetBlob ListBlobs ListUnreferencedBlobs
	DeleteBlob ListMissingBlobs AppendEvents ListEvents LatestSeq OldestEvent
	DeleteEventsBefore PutAccountToken GetAccountToken FindAccountToken DeleteAccountToken
	GetPreferences PutPreferences UseNonce DeleteExpiredNonces ReserveSigningKey
	GetReservedKey GetReservedKeyForDID DeleteReservedKey GetTakedown SearchAccounts
	ListAllInviteCodes ForEachBlockSince GetPendingPLCOp DeletePendingPLCOp Dialect
	SchemaVersion Close AddOAuthDeviceAccount ApproveOAuthRequest CreateOAuthRequest
	CreateOAuthToken DeleteExpiredOAuth DeleteOAuthRequest GetOAuthRequest GetOAuthToken
	ListOAuthDeviceAccounts OAuthFamilyActive RemoveOAuthDeviceAccount RevokeOAuthFamily
	RevokeOAuthTokens ListOAuthSessions RotateOAuthToken UseOAuthCode AppendDelegationAudit
	CreateDelegatedAppPassword CreateDelegationGrant GetActiveDelegationGrant
	ListDelegatedAppPasswords ListDelegationAudit ListDelegationGrants RevokeDelegationGrant
	UpdateDelegationGrant
	AddKeyGrants ConfirmRecoveryCode CreateKeyEpoch CreateUserKey CurrentKeyEpoch
	DeletePrivateBlob DeletePrivateRecord GetPrivateBlob GetPrivateRecord GetUserKey
	ListKeyGrants ListKeyRotations ListPrivateBlobs ListPrivateCollections
	ListPrivateRecords ListUserKeys PutPrivateBlob PutPrivateRecord PutPrivateRecords
	RewrapUserKey SetKeyBackup
	DeletePluginKV GetPluginKV ListPluginKV PutPluginKV WipePluginKV
`)

// names makes a set of the words of s.
func names(s string) map[string]bool {
	m := map[string]bool{}
	for _, n := range strings.Fields(s) {
		m[n] = true
	}
	return m
}

// TestEveryStoreMethodIsClassified: the account cache is exact only if
// every method that changes an accounts row bumps the version. A new store
// method must be added to accountWriters (and overridden in accountcache.go
// or recordcache.go) or to accountNeutral.
func TestEveryStoreMethodIsClassified(t *testing.T) {
	typ := reflect.TypeOf((*store.Store)(nil)).Elem()
	for i := range typ.NumMethod() {
		name := typ.Method(i).Name
		if accountWriters[name] == accountNeutral[name] {
			t.Errorf("store method %s: classify it in accountWriters or accountNeutral (backend/repo/accountcache_test.go)", name)
		}
	}
}

// TestAccountWritersBumpTheVersion calls every account writer (with zero
// arguments: they may fail, the version must move all the same).
func TestAccountWritersBumpTheVersion(t *testing.T) {
	st := repo.CacheRecords(testdb.OpenSQLite(t), 0)
	v := st.(repo.AccountsVersioner)
	val := reflect.ValueOf(st)
	for name := range accountWriters {
		m := val.MethodByName(name)
		args := []reflect.Value{reflect.ValueOf(context.Background())}
		for j := 1; j < m.Type().NumIn(); j++ {
			args = append(args, reflect.Zero(m.Type().In(j)))
		}
		before := v.AccountsVersion()
		m.Call(args)
		if v.AccountsVersion() == before {
			t.Errorf("%s did not change the accounts version", name)
		}
	}
}

// TestAccountCacheSeesChanges: accounts read through the cache reflect each
// change made through the store at once.
func TestAccountCacheSeesChanges(t *testing.T) {
	testdb.Run(t, func(t *testing.T, open func(testing.TB) store.Store) {
		st := repo.CacheRecords(open(t), 0)
		ctx := context.Background()
		const did = "did:plc:accountcache00000000001"
		if _, err := st.CreateAccount(ctx, storetest.NewAccount(did, "cached.test")); err != nil {
			t.Fatal(err)
		}
		get := func() store.Account {
			t.Helper()
			a, err := st.GetAccount(ctx, did)
			if err != nil {
				t.Fatal(err)
			}
			return a
		}
		get()
		if a := get(); a.Handle != "cached.test" {
			t.Fatalf("handle = %q", a.Handle)
		}
		a := get()
		a.SigningKey[0] ^= 0xff // a caller changing its copy
		if b := get(); b.SigningKey[0] == a.SigningKey[0] {
			t.Fatal("a caller's change reached the cache")
		}
		if _, err := st.SetAccountStatus(ctx, did, store.StatusDeactivated, nil); err != nil {
			t.Fatal(err)
		}
		if a := get(); a.Status != store.StatusDeactivated {
			t.Fatalf("status after deactivation = %q", a.Status)
		}
		if _, err := st.SetTakedown(ctx, store.Subject{DID: did}, "case-1", nil); err != nil {
			t.Fatal(err)
		}
		if a := get(); a.TakedownRef != "case-1" {
			t.Fatalf("takedown ref = %q", a.TakedownRef)
		}
		if _, err := st.UpdateHandle(ctx, did, "renamed.test", nil); err != nil {
			t.Fatal(err)
		}
		if a := get(); a.Handle != "renamed.test" {
			t.Fatalf("handle after rename = %q", a.Handle)
		}
		if err := st.UpdatePassword(ctx, did, "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$bmV3"); err != nil {
			t.Fatal(err)
		}
		if a := get(); a.PasswordHash != "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$bmV3" {
			t.Fatalf("password hash after change = %q", a.PasswordHash)
		}
		if err := st.ConfirmEmail(ctx, did, time.Now()); err == nil {
			if a := get(); a.EmailConfirmedAt == nil {
				t.Fatal("email confirmation not seen")
			}
		}
		if _, err := st.DeleteAccount(ctx, did, nil); err != nil {
			t.Fatal(err)
		}
		if _, err := st.GetAccount(ctx, did); err == nil {
			t.Fatal("a deleted account is still served")
		}
	})
}
