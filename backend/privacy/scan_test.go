package privacy

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/hearthpds/hearth/backend/keys"
	"github.com/hearthpds/hearth/backend/store"
	"github.com/hearthpds/hearth/backend/store/postgres"
	"github.com/hearthpds/hearth/backend/store/postgres/pgtest"
	"github.com/hearthpds/hearth/backend/store/sqlite"
)

// runSecretFlow runs the whole private flow on st (identity, records,
// grants, a hard revoke, a blob, a passphrase backup) and returns every
// secret it involved, by name, and a value stored in clear in a binary
// column (alice's public key), which the scan must find.
func runSecretFlow(t *testing.T, st store.Store) (secrets map[string][]byte, public []byte) {
	t.Helper()
	ctx := t.Context()
	e := newEnv(t, st)
	mk := make([]byte, keys.MasterKeySize)
	_, _ = rand.Read(mk)
	sealer, err := keys.NewSealer(mk)
	must(t, err)
	e.svc = e.service(t, sealer)
	_, err = e.svc.Recover(ctx, alice, e.code) // re-wrap under mk
	must(t, err)

	rkeys := []string{"3kzqsecretrkey1", "3kzqsecretrkey2"}
	for _, rk := range rkeys {
		_, err := e.svc.PutRecord(ctx, alice, diary, rk, note("PLAINTEXT-MARKER-"+rk))
		must(t, err)
	}
	_, err = e.svc.Grant(ctx, alice, diary, bob, e.bob.Public())
	must(t, err)
	_, err = e.svc.Grant(ctx, alice, diary, erin, e.erin.Public())
	must(t, err)
	_, err = e.svc.Revoke(ctx, alice, diary, bob, RevokeOptions{Reencrypt: true})
	must(t, err)
	blob := bytes.Repeat([]byte("BLOB-PLAINTEXT-MARKER "), 5000)
	ref, err := e.svc.EncryptBlob(ctx, alice, bytes.NewReader(blob), "text/plain")
	must(t, err)
	must(t, e.svc.SetPassphraseBackup(ctx, alice, "a long passphrase"))

	id, err := e.svc.unlock(ctx, alice)
	must(t, err)
	ck, _, err := e.svc.ownerKeys(ctx, id, alice, diary)
	must(t, err)
	secrets = map[string][]byte{"seed": id.Seed(), "MAC key": ck.MACKey(), "blob key": ref.Key, "master key": mk,
		"bob's seed": e.bob.Seed(), "record plaintext": []byte("PLAINTEXT-MARKER"), "blob plaintext": []byte("BLOB-PLAINTEXT-MARKER"),
		"passphrase": []byte("a long passphrase")}
	for _, ep := range ck.Epochs() {
		k, err := ck.EpochKey(ep)
		must(t, err)
		secrets[fmt.Sprint("epoch key ", ep)] = k
	}
	for _, rk := range rkeys {
		secrets["rkey "+rk] = []byte(rk)
	}
	return secrets, id.Public().Key
}

// scanFor fails the test for every secret found in dump, raw, hex or
// base64, and checks that the collection NSID and the public key (stored
// in clear, the key in a binary column) are found, so the scan is known to
// see the data.
func scanFor(t *testing.T, dump []byte, secrets map[string][]byte, public []byte) {
	t.Helper()
	if !bytes.Contains(dump, []byte(diary)) {
		t.Fatal("the scan does not even find the collection NSID, which is stored in clear")
	}
	if !bytes.Contains(dump, public) && !bytes.Contains(dump, []byte(hex.EncodeToString(public))) {
		t.Fatal("the scan does not find the public key, which is stored in clear")
	}
	for name, s := range secrets {
		for form, enc := range map[string][]byte{
			"raw": s, "hex": []byte(hex.EncodeToString(s)),
			"base64": []byte(base64.StdEncoding.EncodeToString(s)), "base64url": []byte(base64.RawURLEncoding.EncodeToString(s)),
		} {
			if bytes.Contains(dump, enc) {
				t.Errorf("the database holds the %s (%s)", name, form)
			}
		}
	}
}

// TestDatabaseHoldsNoSecretSQLite scans every byte of the SQLite database
// and its WAL after the whole flow.
func TestDatabaseHoldsNoSecretSQLite(t *testing.T) {
	dir := t.TempDir()
	st, err := sqlite.Open(t.Context(), filepath.Join(dir, "hearth.db"), slog.New(slog.DiscardHandler))
	must(t, err)
	secrets, public := runSecretFlow(t, st)
	must(t, st.Close())
	files, err := filepath.Glob(filepath.Join(dir, "hearth.db*"))
	must(t, err)
	var dump []byte
	for _, f := range files {
		b, err := os.ReadFile(f)
		must(t, err)
		dump = append(dump, b...)
	}
	scanFor(t, dump, secrets, public)
}

// TestDatabaseHoldsNoSecretPostgres dumps every row of every table of the
// test schema as text (bytea in hex) after the whole flow.
func TestDatabaseHoldsNoSecretPostgres(t *testing.T) {
	ctx := t.Context()
	url := pgtest.URL(t)
	st, err := postgres.Open(ctx, url, slog.New(slog.DiscardHandler))
	must(t, err)
	t.Cleanup(func() { _ = st.Close() })
	secrets, public := runSecretFlow(t, st)
	scanFor(t, dumpPostgres(ctx, t, url), secrets, public)
}

// dumpPostgres returns every row of every table in the URL's schema.
func dumpPostgres(ctx context.Context, t *testing.T, url string) []byte {
	t.Helper()
	conn, err := pgx.Connect(ctx, url)
	must(t, err)
	defer conn.Close(ctx)
	rows, err := conn.Query(ctx, `SELECT quote_ident(table_name) FROM information_schema.tables
		WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'`)
	must(t, err)
	tables, err := pgx.CollectRows(rows, pgx.RowTo[string])
	must(t, err)
	if len(tables) < 5 {
		t.Fatalf("only %d tables in the schema", len(tables))
	}
	var dump bytes.Buffer
	for _, table := range tables {
		rows, err := conn.Query(ctx, `SELECT t::text FROM `+table+` t`)
		must(t, err)
		lines, err := pgx.CollectRows(rows, pgx.RowTo[string])
		must(t, err)
		for _, l := range lines {
			dump.WriteString(l)
			dump.WriteByte('\n')
		}
	}
	return dump.Bytes()
}
