package proxy_test

import (
	"bufio"
	"io"
	"net/http"
	"sync"
	"testing"
	"time"
)

// guard fails the test instead of hanging when a step never happens (it
// asserts nothing about how long a step takes).
const guard = 20 * time.Second

func wait(t *testing.T, ch <-chan struct{}, what string) {
	t.Helper()
	select {
	case <-ch:
	case <-time.After(guard):
		t.Fatalf("%s never happened: the proxy buffers", what)
	}
}

// TestForwardStreamsResponse: the client reads the first part of the
// response while the service still holds back the rest.
func TestForwardStreamsResponse(t *testing.T) {
	release := make(chan struct{})
	e := newEnv(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain")
		_, _ = io.WriteString(w, "first\n")
		w.(http.Flusher).Flush()
		select {
		case <-release:
		case <-r.Context().Done():
			return
		}
		_, _ = io.WriteString(w, "second\n")
	}))
	var once sync.Once
	unblock := func() { once.Do(func() { close(release) }) }
	t.Cleanup(unblock) // runs before the servers close, so none waits forever
	req, err := http.NewRequest("GET", e.front.URL+"/xrpc/app.bsky.feed.getTimeline", nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer full")
	type first struct {
		line string
		resp *http.Response
		body *bufio.Reader
		err  error
	}
	got := make(chan first, 1)
	go func() { // the response's headers and first line, however long they take
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			got <- first{err: err}
			return
		}
		br := bufio.NewReader(resp.Body)
		line, err := br.ReadString('\n')
		got <- first{line, resp, br, err}
	}()
	var f first
	select {
	case f = <-got:
	case <-time.After(guard):
		t.Fatal("first part never arrived: the proxy buffers the response")
	}
	if f.resp != nil {
		defer f.resp.Body.Close()
	}
	if f.err != nil || f.line != "first\n" {
		t.Fatalf("first line = %q, %v", f.line, f.err)
	}
	unblock()
	rest, _ := io.ReadAll(f.body)
	if string(rest) != "second\n" {
		t.Fatalf("rest = %q", rest)
	}
}

// TestForwardStreamsRequest: the service reads the first part of the body
// before the client has sent the rest.
func TestForwardStreamsRequest(t *testing.T) {
	firstSeen := make(chan struct{})
	e := newEnv(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		buf := make([]byte, 5)
		if _, err := io.ReadFull(r.Body, buf); err != nil || string(buf) != "part1" {
			http.Error(w, "first part", http.StatusBadRequest)
			return
		}
		close(firstSeen)
		rest, _ := io.ReadAll(r.Body)
		_, _ = w.Write(append(buf, rest...))
	}))
	pr, pw := io.Pipe()
	t.Cleanup(func() { pw.Close() }) // runs before the servers close, so none waits forever
	req, err := http.NewRequest("POST", e.front.URL+"/xrpc/app.bsky.feed.sendInteractions", pr)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer full")
	req.Header.Set("Content-Type", "application/octet-stream")
	done := make(chan *http.Response, 1)
	go func() {
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			pr.CloseWithError(err)
			close(done)
			return
		}
		done <- resp
	}()
	if _, err := io.WriteString(pw, "part1"); err != nil {
		t.Fatal(err)
	}
	wait(t, firstSeen, "service reading the first part")
	_, _ = io.WriteString(pw, "part2")
	pw.Close()
	var resp *http.Response
	select {
	case resp = <-done:
	case <-time.After(guard):
		t.Fatal("no response")
	}
	if resp == nil {
		t.Fatal("request failed")
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 || string(body) != "part1part2" {
		t.Fatalf("got %d %q", resp.StatusCode, body)
	}
}
