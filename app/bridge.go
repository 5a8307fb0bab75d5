package app

import (
	"crypto/subtle"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"reflect"
	"strings"
)

// bridgeCookie carries the bridge's token after the first visit.
const bridgeCookie = "hearth_ui"

// Bridge serves the window's pages in a browser: the built frontend
// (assets, rooted at its index.html) and POST /app/call/<Method>, which
// calls the App method of that name with the JSON array body as its
// arguments — the same methods the window calls through Wails. It is for
// loopback only: every call needs the token, given once as ?token= on
// any page (which sets a cookie) or in the X-Hearth-Token header.
func Bridge(a *App, assets fs.FS, token string) http.Handler {
	mux := http.NewServeMux()
	files := http.FileServerFS(assets)
	mux.HandleFunc("POST /app/call/{method}", func(w http.ResponseWriter, r *http.Request) {
		if !bridgeAuthorized(r, token) {
			bridgeError(w, http.StatusUnauthorized, "missing or wrong token")
			return
		}
		a.bridgeCall(w, r, r.PathValue("method"))
	})
	mux.HandleFunc("GET /", func(w http.ResponseWriter, r *http.Request) {
		if t := r.URL.Query().Get("token"); t != "" {
			if subtle.ConstantTimeCompare([]byte(t), []byte(token)) != 1 {
				http.Error(w, "wrong token", http.StatusUnauthorized)
				return
			}
			http.SetCookie(w, &http.Cookie{Name: bridgeCookie, Value: token, Path: "/", HttpOnly: true, SameSite: http.SameSiteStrictMode})
			http.Redirect(w, r, "/", http.StatusSeeOther)
			return
		}
		if !bridgeAuthorized(r, token) {
			http.Error(w, "open the address hearth ui printed (it carries the token)", http.StatusUnauthorized)
			return
		}
		files.ServeHTTP(w, r)
	})
	return mux
}

func bridgeAuthorized(r *http.Request, token string) bool {
	got := r.Header.Get("X-Hearth-Token")
	if c, err := r.Cookie(bridgeCookie); got == "" && err == nil {
		got = c.Value
	}
	return got != "" && subtle.ConstantTimeCompare([]byte(got), []byte(token)) == 1
}

// bridgeCall decodes the arguments, calls the method and writes
// {"result": ...} or {"error": message}.
func (a *App) bridgeCall(w http.ResponseWriter, r *http.Request, name string) {
	m := reflect.ValueOf(a).MethodByName(name)
	if !m.IsValid() {
		bridgeError(w, http.StatusNotFound, fmt.Sprintf("no method %q", name))
		return
	}
	var raw []json.RawMessage
	body, err := io.ReadAll(io.LimitReader(r.Body, 16<<20))
	if err == nil && len(strings.TrimSpace(string(body))) > 0 {
		err = json.Unmarshal(body, &raw)
	}
	if err != nil {
		bridgeError(w, http.StatusBadRequest, "the body must be a JSON array of arguments")
		return
	}
	t := m.Type()
	if len(raw) != t.NumIn() {
		bridgeError(w, http.StatusBadRequest, fmt.Sprintf("%s takes %d arguments, got %d", name, t.NumIn(), len(raw)))
		return
	}
	args := make([]reflect.Value, len(raw))
	for i := range raw {
		p := reflect.New(t.In(i))
		if err := json.Unmarshal(raw[i], p.Interface()); err != nil {
			bridgeError(w, http.StatusBadRequest, fmt.Sprintf("argument %d: %v", i, err))
			return
		}
		args[i] = p.Elem()
	}
	result, callErr := splitResults(m.Call(args))
	if callErr != nil {
		bridgeError(w, http.StatusBadRequest, callErr.Error())
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(map[string]any{"result": result})
}

var errorType = reflect.TypeFor[error]()

// splitResults turns a bound method's results into (value, error) as Wails
// does: the last result may be an error; a first, other result is the value.
func splitResults(out []reflect.Value) (any, error) {
	var result any
	var err error
	for _, v := range out {
		if v.Type() == errorType {
			if !v.IsNil() {
				err = v.Interface().(error)
			}
			continue
		}
		result = v.Interface()
	}
	return result, err
}

func bridgeError(w http.ResponseWriter, status int, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]string{"error": msg})
}
