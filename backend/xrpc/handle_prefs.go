package xrpc

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/hearthpds/hearth/backend/proxy"
	"github.com/hearthpds/hearth/backend/store"
)

// PrefsHandlers serves app.bsky.actor.getPreferences and putPreferences
// from the account's own store, as the reference PDS does. A call whose
// atproto-proxy header names another AppView than the configured one goes
// to that AppView instead.
type PrefsHandlers struct {
	Store store.Preferences
	// Proxy forwards calls meant for another AppView; nil refuses them.
	Proxy Forwarder
	// Services names the configured AppView (Defaults.AppView).
	Services proxy.Defaults
	Log      *slog.Logger     // slog.Default when nil
	Now      func() time.Time // time.Now when nil; ages in declaredAgePref
}

// Preference types with rules of their own.
const (
	prefsNamespace      = "app.bsky"
	personalDetailsPref = "app.bsky.actor.defs#personalDetailsPref"
	declaredAgePref     = "app.bsky.actor.defs#declaredAgePref"
)

// Methods returns the methods to register.
func (h *PrefsHandlers) Methods() []Method {
	const ns = "app.bsky.actor."
	return []Method{
		{NSID: ns + "getPreferences", Kind: Query, Auth: AccessAuth, Raw: h.localOrForward(ns+"getPreferences", h.getPreferences)},
		{NSID: ns + "putPreferences", Kind: Procedure, Auth: AccessAuth, Raw: h.localOrForward(ns+"putPreferences", h.putPreferences)},
	}
}

// localOrForward answers a call with local, unless its atproto-proxy
// header names a service other than the configured AppView.
func (h *PrefsHandlers) localOrForward(nsid string, local HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		v := ViewerFrom(r.Context())
		if to := r.Header.Get(proxy.HeaderName); to != "" && to != h.Services.AppView.String() {
			if err := forwardCall(h.Proxy, h.Services, w, r, v, nsid); err != nil && r.Context().Err() == nil {
				writeError(w, r, logOrDefault(h.Log), err)
			}
			return
		}
		// Served here, but the scope is the one the AppView's copy needs,
		// as in the reference PDS.
		if err := v.RequireRPC(w.Header(), nsid, h.Services.AppView.String()); err != nil {
			writeError(w, r, logOrDefault(h.Log), err)
			return
		}
		out, err := local(r.Context(), &Call{r: r, w: w, Viewer: v})
		switch {
		case err != nil:
			writeError(w, r, logOrDefault(h.Log), err)
		case out == nil:
			w.WriteHeader(http.StatusOK)
		default:
			writeJSON(w, http.StatusOK, out)
		}
	}
}

type prefsOut struct {
	Preferences []json.RawMessage `json:"preferences"`
}

// getPreferences lists the account's app.bsky preferences, adding a
// declaredAgePref computed from the birth date of personalDetailsPref.
// Personal details are shown to full sessions only.
func (h *PrefsHandlers) getPreferences(ctx context.Context, c *Call) (any, error) {
	prefs, err := h.Store.GetPreferences(ctx, c.Viewer.DID, prefsNamespace)
	if err != nil {
		return nil, err
	}
	full := fullAccess(c.Viewer)
	out := prefsOut{Preferences: make([]json.RawMessage, 0, len(prefs)+1)}
	var declared json.RawMessage
	for _, p := range prefs {
		if p.Type == personalDetailsPref {
			declared = h.declaredAge(p.Value)
			if !full {
				continue
			}
		}
		out.Preferences = append(out.Preferences, json.RawMessage(p.Value))
	}
	if declared != nil {
		out.Preferences = append(out.Preferences, declared)
	}
	return out, nil
}

// fullAccess: a full session (not an app password) may read and write
// personal details.
func fullAccess(v *Viewer) bool { return v != nil && !v.Service && v.AppPasswordName == "" }

// declaredAge builds the read-only declaredAgePref from a
// personalDetailsPref's birthDate; nil when it has none. An unreadable date
// declares no age, as in the reference PDS.
func (h *PrefsHandlers) declaredAge(personal []byte) json.RawMessage {
	var p struct {
		BirthDate string `json:"birthDate"`
	}
	if json.Unmarshal(personal, &p) != nil || p.BirthDate == "" {
		return nil
	}
	age := -1
	if born, ok := parseBirthDate(p.BirthDate); ok {
		age = ageAt(born, h.now())
	}
	out, _ := json.Marshal(map[string]any{
		"$type": declaredAgePref, "isOverAge13": age >= 13, "isOverAge16": age >= 16, "isOverAge18": age >= 18,
	})
	return out
}

func (h *PrefsHandlers) now() time.Time {
	if h.Now != nil {
		return h.Now()
	}
	return time.Now()
}

// parseBirthDate reads a datetime or a plain date.
func parseBirthDate(s string) (time.Time, bool) {
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05.999999999", "2006-01-02"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), true
		}
	}
	return time.Time{}, false
}

// ageAt is the age in whole years on the day of now (UTC).
func ageAt(born, now time.Time) int {
	now = now.UTC()
	age := now.Year() - born.Year()
	if now.Month() < born.Month() || (now.Month() == born.Month() && now.Day() < born.Day()) {
		age--
	}
	return age
}

type putPrefsIn struct {
	Preferences *[]json.RawMessage `json:"preferences"`
}

// putPreferences replaces the account's app.bsky preferences. Every
// preference needs a $type in the app.bsky namespace; declaredAgePref is
// read-only and dropped; only a full session may set personal details, and
// an app password's put keeps the ones stored.
func (h *PrefsHandlers) putPreferences(ctx context.Context, c *Call) (any, error) {
	var in putPrefsIn
	if err := c.Decode(&in); err != nil {
		return nil, err
	}
	if in.Preferences == nil {
		return nil, invalidRequest("Input must have the property \"preferences\"")
	}
	prefs, err := checkPrefs(*in.Preferences, fullAccess(c.Viewer))
	if err != nil {
		return nil, err
	}
	if !fullAccess(c.Viewer) {
		kept, err := h.personalDetails(ctx, c.Viewer.DID)
		if err != nil {
			return nil, err
		}
		prefs = append(kept, prefs...)
	}
	err = h.Store.PutPreferences(ctx, c.Viewer.DID, prefsNamespace, prefs)
	if errors.Is(err, store.ErrNotFound) {
		return nil, Errorf(http.StatusBadRequest, "AccountNotFound", "Account not found")
	}
	return nil, err
}

// checkPrefs applies the rules of putPreferences to the new preferences
// and returns the ones to store.
func checkPrefs(raw []json.RawMessage, full bool) ([]store.Preference, error) {
	prefs := make([]store.Preference, 0, len(raw))
	var forbidden []string
	for _, r := range raw {
		var head struct {
			Type any `json:"$type"`
		}
		if err := json.Unmarshal(r, &head); err != nil || !isJSONObject(r) {
			return nil, invalidRequest("each preference must be an object")
		}
		typ, ok := head.Type.(string)
		switch {
		case !ok:
			return nil, invalidRequest("Preference is missing a $type")
		case typ != prefsNamespace && !strings.HasPrefix(typ, prefsNamespace+"."):
			return nil, invalidRequest("Some preferences are not in the %s namespace", prefsNamespace)
		case typ == personalDetailsPref && !full:
			forbidden = append(forbidden, typ)
		case typ == declaredAgePref:
			continue // read-only: computed on read
		}
		prefs = append(prefs, store.Preference{Type: typ, Value: append([]byte(nil), r...)})
	}
	if len(forbidden) > 0 {
		return nil, invalidRequest("Do not have authorization to set preferences: %s", strings.Join(forbidden, ", "))
	}
	return prefs, nil
}

func isJSONObject(r json.RawMessage) bool {
	s := strings.TrimSpace(string(r))
	return strings.HasPrefix(s, "{")
}

// personalDetails returns the stored personal details, which a put from an
// app password leaves in place.
func (h *PrefsHandlers) personalDetails(ctx context.Context, did string) ([]store.Preference, error) {
	prefs, err := h.Store.GetPreferences(ctx, did, prefsNamespace)
	if err != nil {
		return nil, err
	}
	var kept []store.Preference
	for _, p := range prefs {
		if p.Type == personalDetailsPref {
			kept = append(kept, p)
		}
	}
	return kept, nil
}
