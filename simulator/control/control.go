// Package control is a client of the mock archive's JSON control API
// (simulator/server): the received messages with their findings, the
// archive's contents, reset and the simulated clock. The conformance
// runner's steps use it to check what the archive received and holds,
// whether the archive runs in-process or on a shared server. It speaks
// only the API's data types (simulator/api), so that its users need nothing
// of the simulator itself.
package control

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/yhteistestaus/yhteistestaus/simulator/api"
)

// Client talks to one session of a simulator.
type Client struct {
	// BaseURL is the simulator's base URL, e.g. http://127.0.0.1:8080.
	BaseURL string
	// Session is the session name.
	Session string
	// HTTP is the client used; nil means a client with a 30 s timeout.
	HTTP *http.Client
	// Token, when set, is sent as Authorization: Bearer on every request:
	// the vendor's or the coordinator's token of a shared archive (serve
	// --tokens).
	Token string
	// MaxAnswer is the largest answer read, in bytes; zero means
	// DefaultMaxAnswer. A larger answer is an error.
	MaxAnswer int64
}

// SOAPURL returns the session's archiving endpoint, which the vendor
// system sends its messages to.
func (c *Client) SOAPURL() string {
	return strings.TrimRight(c.BaseURL, "/") + "/s/" + url.PathEscape(c.Session) + "/soap"
}

func (c *Client) httpClient() *http.Client {
	if c.HTTP != nil {
		return c.HTTP
	}
	return &http.Client{Timeout: 30 * time.Second}
}

func (c *Client) api(path string) string {
	return strings.TrimRight(c.BaseURL, "/") + "/api/sessions/" + url.PathEscape(c.Session) + path
}

func (c *Client) do(ctx context.Context, method, u string, body any, out any) error {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return fmt.Errorf("encode request: %w", err)
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, u, rd)
	if err != nil {
		return fmt.Errorf("build request: %w", err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if c.Token != "" {
		req.Header.Set("Authorization", "Bearer "+c.Token)
	}
	resp, err := c.httpClient().Do(req)
	if err != nil {
		return fmt.Errorf("%s %s: %w", method, u, err)
	}
	defer resp.Body.Close()
	limit := c.maxAnswer()
	data, err := io.ReadAll(io.LimitReader(resp.Body, limit+1))
	if err != nil {
		return fmt.Errorf("%s %s: read answer: %w", method, u, err)
	}
	if int64(len(data)) > limit {
		return fmt.Errorf("%s %s: answer larger than %d bytes", method, u, limit)
	}
	if resp.StatusCode == http.StatusNotFound {
		var apiErr api.Error
		if json.Unmarshal(data, &apiErr) == nil && apiErr.Code == api.CodeNoSession {
			return fmt.Errorf("%s %s: %w", method, u, ErrNoSession)
		}
		return fmt.Errorf("%s %s: %w", method, u, ErrNotFound)
	}
	if resp.StatusCode == http.StatusUnauthorized {
		return fmt.Errorf("%s %s: %w", method, u, ErrUnauthorized)
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("%s %s: %s: %s", method, u, resp.Status, bytes.TrimSpace(data))
	}
	if out == nil {
		return nil
	}
	if err := json.Unmarshal(data, out); err != nil {
		return fmt.Errorf("%s %s: decode answer: %w", method, u, err)
	}
	return nil
}

// ErrNotFound is returned when the simulator has no such message or set.
var ErrNotFound = errors.New("not found")

// ErrNoSession is returned when the simulator has no such session (nothing
// was sent to it, reset or set in it yet). It matches ErrNotFound too.
var ErrNoSession = fmt.Errorf("session %w", ErrNotFound)

// ErrUnauthorized is returned when the archive asks for a token the client
// did not send, or does not know the one it sent (HTTP 401).
var ErrUnauthorized = errors.New("the archive needs a token it knows (run --token, YHTEISTESTAUS_TOKEN)")

// DefaultMaxAnswer is the largest answer a Client reads unless
// Client.MaxAnswer says otherwise.
const DefaultMaxAnswer = 64 << 20

func (c *Client) maxAnswer() int64 {
	if c.MaxAnswer > 0 {
		return c.MaxAnswer
	}
	return DefaultMaxAnswer
}

// MessageFilter selects received messages.
type MessageFilter struct {
	// Since keeps messages with a sequence number above it.
	Since     int
	SetID     string
	MessageID string
	Client    string
}

// Messages returns the session's received messages that match f; none
// when the session does not exist yet.
func (c *Client) Messages(ctx context.Context, f MessageFilter) ([]*api.Exchange, error) {
	q := url.Values{}
	if f.Since > 0 {
		q.Set("since", strconv.Itoa(f.Since))
	}
	if f.SetID != "" {
		q.Set("setId", f.SetID)
	}
	if f.MessageID != "" {
		q.Set("messageId", f.MessageID)
	}
	if f.Client != "" {
		q.Set("client", f.Client)
	}
	var out api.Messages
	u := c.api("/messages")
	if len(q) > 0 {
		u += "?" + q.Encode()
	}
	if err := c.do(ctx, http.MethodGet, u, nil, &out); err != nil {
		if errors.Is(err, ErrNoSession) {
			return nil, nil
		}
		return nil, err
	}
	exs := make([]*api.Exchange, len(out.Messages))
	for i := range out.Messages {
		exs[i] = &out.Messages[i].Exchange
	}
	return exs, nil
}

// Structures returns which document structures the archive judges
// structured content with (GET /api/structures; not per session).
func (c *Client) Structures(ctx context.Context) (*api.Structures, error) {
	var st api.Structures
	if err := c.do(ctx, http.MethodGet, strings.TrimRight(c.BaseURL, "/")+"/api/structures", nil, &st); err != nil {
		return nil, err
	}
	return &st, nil
}

// Message returns one message with its frame and document.
func (c *Client) Message(ctx context.Context, seq int) (*api.Message, error) {
	var m api.Message
	if err := c.do(ctx, http.MethodGet, c.api("/messages/"+strconv.Itoa(seq)), nil, &m); err != nil {
		return nil, err
	}
	return &m, nil
}

// ArchiveFilter selects document sets.
type ArchiveFilter struct {
	Client, Kind, CaseID, Custodian string
}

// Archive returns the latest version of each archived set that matches f;
// none when the session does not exist yet.
func (c *Client) Archive(ctx context.Context, f ArchiveFilter) ([]api.Set, error) {
	q := url.Values{}
	for k, v := range map[string]string{"client": f.Client, "kind": f.Kind, "caseId": f.CaseID, "custodian": f.Custodian} {
		if v != "" {
			q.Set(k, v)
		}
	}
	u := c.api("/archive")
	if len(q) > 0 {
		u += "?" + q.Encode()
	}
	var v api.Archive
	if err := c.do(ctx, http.MethodGet, u, nil, &v); err != nil {
		if errors.Is(err, ErrNoSession) {
			return nil, nil
		}
		return nil, err
	}
	return v.Sets, nil
}

// Versions returns every version of a set, oldest first; ErrNotFound when
// the set is not archived.
func (c *Client) Versions(ctx context.Context, setID string) ([]*api.Record, error) {
	var out api.Versions
	if err := c.do(ctx, http.MethodGet, c.api("/archive/sets/"+url.PathEscape(setID)), nil, &out); err != nil {
		return nil, err
	}
	return out.Versions, nil
}

// Reset empties the session.
func (c *Client) Reset(ctx context.Context) error {
	return c.do(ctx, http.MethodPost, c.api("/reset"), nil, nil)
}

// SetClock sets the session's simulated time.
func (c *Client) SetClock(ctx context.Context, t time.Time) error {
	return c.do(ctx, http.MethodPut, c.api("/clock"), api.Clock{Now: t}, nil)
}

// AdvanceClock moves the session's simulated time forward.
func (c *Client) AdvanceClock(ctx context.Context, d time.Duration) error {
	return c.do(ctx, http.MethodPut, c.api("/clock"), api.Clock{Advance: d.String()}, nil)
}
