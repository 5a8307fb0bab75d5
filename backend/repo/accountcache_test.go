package repo_test

import (
	"context"
	"reflect"
	"testing"
	"time"

	"github.com/hearthpds/hearth/backend/repo"
	"github.com/hearthpds/hearth/backend/store"
	"github.com/hearthpds/hearth/backend/store/storetest"
	"github.com/hearthpds/hearth/internal/testdb"
)

// accountWriters are the store methods that may change an accounts row;
// the caching store bumps the accounts version after each.
var accountWriters = map[string]bool{
	"CreateAccount": true, "UpdateHandle": true, "UpdateEmail": true, "ConfirmEmail": true,
	"UpdatePassword": true, "SetAccountStatus": true, "DeleteAccount": true, "SetTakedown": true,
	"SetInvitesDisabled": true, "UpdateSigningKey": true, "ImportRepo": true,
}

// accountNeutral are the store methods that never change an accounts row.
var accountNeutral = map[string]bool{
	"GetAccount": true, "GetAccountByHandle": true, "GetAccountByEmail": true, "ListAccounts": true,
	"CreateRefreshToken": true, "GetRefreshToken": true, "RotateRefreshToken": true, "DeleteRefreshToken": true,
	"DeleteAccountRefreshTokens": true, "DeleteExpiredRefreshTokens": true,
	"CreateAppPassword": true, "ListAppPasswords": true, "GetAppPasswordByHash": true, "RevokeAppPassword": true,
	"CreateInviteCodes": true, "GetInviteCode": true, "ListInviteCodes": true, "DisableInviteCodes": true,
	"GetRepoRoot": true, "ListRepoRoots": true, "GetBlock": true, "GetBlocks": true, "CountBlocks": true,
	"ForEachBlock": true, "ApplyCommits": true, "GetRecord": true, "ListRecords": true, "ListCollections": true,
	"PutBlob": true, "GetBlob": true, "ListBlobs": true, "ListUnreferencedBlobs": true, "DeleteBlob": true,
	"ListMissingBlobs": true,
	"AppendEvents": true, "ListEvents": true, "LatestSeq": true, "OldestEvent": true, "DeleteEventsBefore": true,
	"PutAccountToken": true, "GetAccountToken": true, "FindAccountToken": true, "DeleteAccountToken": true,
	"GetPreferences": true, "PutPreferences": true, "UseNonce": true, "DeleteExpiredNonces": true,
	"ReserveSigningKey": true, "GetReservedKey": true, "GetReservedKeyForDID": true, "DeleteReservedKey": true,
	"GetTakedown": true, "SearchAccounts": true, "ListAllInviteCodes": true,
	"ForEachBlockSince": true, "GetPendingPLCOp": true, "DeletePendingPLCOp": true,
	"Dialect": true, "SchemaVersion": true, "Close": true,
	// OAuth and delegation keep their own tables.
	"AddOAuthDeviceAccount": true, "ApproveOAuthRequest": true, "CreateOAuthRequest": true, "CreateOAuthToken": true,
	"DeleteExpiredOAuth": true, "DeleteOAuthRequest": true, "GetOAuthRequest": true, "GetOAuthToken": true,
	"ListOAuthDeviceAccounts": true, "OAuthFamilyActive": true, "RemoveOAuthDeviceAccount": true,
	"RevokeOAuthFamily": true, "RevokeOAuthTokens": true, "ListOAuthSessions": true, "RotateOAuthToken": true, "UseOAuthCode": true,
	"AppendDelegationAudit": true, "CreateDelegatedAppPassword": true, "CreateDelegationGrant": true,
	"GetActiveDelegationGrant": true, "ListDelegatedAppPasswords": true, "ListDelegationAudit": true,
	"ListDelegationGrants": true, "RevokeDelegationGrant": true, "UpdateDelegationGrant": true,
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
