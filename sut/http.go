package sut

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"time"
)

// httpDriver is the HTTP adapter: see NewHTTP.
type httpDriver struct {
	url    string
	client *http.Client
}

var _ Driver = (*httpDriver)(nil)

// NewHTTP returns a Driver that sends each request to a vendor's HTTP
// adapter: it POSTs the Request as JSON to baseURL and reads the Answer
// from a 200 response, at most MaxAnswerBytes, checked with CheckAnswer.
// Any other status, a body that is not one JSON answer, or an answer to
// another request is an error that says which. The context's deadline
// bounds the whole exchange and is passed on in the request's TimeoutMs.
// A nil client means a plain http.Client; the context, not a client
// timeout, bounds each request.
func NewHTTP(baseURL string, client *http.Client) Driver {
	if client == nil {
		client = &http.Client{}
	}
	return &httpDriver{url: baseURL, client: client}
}

// Do implements Driver.
func (d *httpDriver) Do(ctx context.Context, req Request) (*Answer, error) {
	a, err := d.do(ctx, req)
	if err != nil {
		return nil, fmt.Errorf("%s request %q to %s: %w", req.Action, req.ID, d.url, err)
	}
	return a, nil
}

func (d *httpDriver) do(ctx context.Context, req Request) (*Answer, error) {
	body, err := json.Marshal(withTimeout(ctx, req))
	if err != nil {
		return nil, fmt.Errorf("encode request: %w", err)
	}
	hreq, err := http.NewRequestWithContext(ctx, http.MethodPost, d.url, bytes.NewReader(body))
	if err != nil {
		return nil, fmt.Errorf("build HTTP request: %w", err)
	}
	hreq.Header.Set("Content-Type", "application/json")
	hreq.Header.Set("Accept", "application/json")
	resp, err := d.client.Do(hreq)
	if err != nil {
		return nil, err // *url.Error already names the method and URL
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, statusError(resp)
	}
	a, err := decodeAnswer(resp.Body, MaxAnswerBytes)
	if err != nil {
		if cerr := context.Cause(ctx); cerr != nil && !errors.Is(err, cerr) {
			return nil, fmt.Errorf("%w: %w", err, cerr)
		}
		return nil, err
	}
	if err := CheckAnswer(req, a); err != nil {
		return nil, err
	}
	return a, nil
}

// statusError describes a non-200 response, quoting the adapter's
// {"error": ...} when it sent one and the start of the body otherwise.
func statusError(resp *http.Response) error {
	b, _ := io.ReadAll(io.LimitReader(resp.Body, snippetBytes))
	var eb errorBody
	if json.Unmarshal(b, &eb) == nil && eb.Error != "" {
		return fmt.Errorf("adapter answered HTTP %s: %s", resp.Status, clean([]byte(eb.Error)))
	}
	if len(bytes.TrimSpace(b)) == 0 {
		return fmt.Errorf("adapter answered HTTP %s with an empty body", resp.Status)
	}
	return fmt.Errorf("adapter answered HTTP %s: %s", resp.Status, snippet(b))
}

// Handler returns an HTTP handler that serves d as a protocol adapter, so
// that any Driver (the reference vendor system, a test fake) can be
// reached with NewHTTP. It answers a POST (to any path) of one Request
// with d's Answer and status 200. A request that is not POST gets 405; a
// body larger than MaxRequestBytes 413; a body that is not one JSON
// request, names another protocol, or lacks an id or an action 400; an
// error from d, or an answer that fails CheckAnswer, 500. Every non-200
// response is JSON {"protocol": "yhteistestaus-sut/1", "error": "..."}.
// d's context ends when the client gives up or, when the request has
// TimeoutMs, when that time has passed.
func Handler(d Driver) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost {
			w.Header().Set("Allow", http.MethodPost)
			writeJSON(w, http.StatusMethodNotAllowed, errorBody{Protocol: Protocol,
				Error: fmt.Sprintf("method %s not allowed: POST a request JSON", r.Method)})
			return
		}
		req, status, err := readRequest(w, r)
		if err != nil {
			writeJSON(w, status, errorBody{Protocol: Protocol, Error: err.Error()})
			return
		}
		ctx := r.Context()
		if req.TimeoutMs > 0 {
			var cancel context.CancelFunc
			ctx, cancel = context.WithTimeout(ctx, time.Duration(req.TimeoutMs)*time.Millisecond)
			defer cancel()
		}
		a, err := d.Do(ctx, req)
		if err == nil {
			err = CheckAnswer(req, a)
		}
		if err != nil {
			writeJSON(w, http.StatusInternalServerError, errorBody{Protocol: Protocol,
				Error: fmt.Sprintf("%s request %q: %v", req.Action, req.ID, err)})
			return
		}
		writeJSON(w, http.StatusOK, a)
	})
}

// readRequest decodes and checks the body of a POST for Handler, returning
// the HTTP status to answer with when it fails.
func readRequest(w http.ResponseWriter, r *http.Request) (Request, int, error) {
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, MaxRequestBytes))
	var req Request
	err := dec.Decode(&req)
	if err == nil {
		if _, terr := dec.Token(); !errors.Is(terr, io.EOF) {
			err = errors.New("data after the request's JSON object")
			if mbe := new(http.MaxBytesError); errors.As(terr, &mbe) {
				err = terr
			}
		}
	}
	if mbe := new(http.MaxBytesError); errors.As(err, &mbe) {
		return Request{}, http.StatusRequestEntityTooLarge, fmt.Errorf("request larger than %d bytes", mbe.Limit)
	}
	if err != nil {
		return Request{}, http.StatusBadRequest, fmt.Errorf("request is not one JSON object: %v", err)
	}
	switch {
	case req.Protocol != Protocol:
		return Request{}, http.StatusBadRequest, fmt.Errorf("protocol %q not supported: this adapter speaks %q", req.Protocol, Protocol)
	case req.ID == "":
		return Request{}, http.StatusBadRequest, errors.New("request has no id")
	case req.Action == "":
		return Request{}, http.StatusBadRequest, errors.New("request has no action")
	}
	return req, http.StatusOK, nil
}

// writeJSON writes v as JSON with status.
func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		status = http.StatusInternalServerError
		b, _ = json.Marshal(errorBody{Protocol: Protocol, Error: "encode answer: " + err.Error()})
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	_, _ = w.Write(append(b, '\n'))
}
